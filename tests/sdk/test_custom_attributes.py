"""Custom attribute definitions through the SDK (``create_custom_attribute``,
``delete_custom_attribute``, ``load_custom_attributes``), and what they allow users to carry.

Each test uses a project of its own: a project's definitions change what every user write
in it accepts.
"""

from __future__ import annotations

from typing import Any

import pytest
from descope import UserObj

from tests.support import LiveServer, another_project, mgmt_request, refused_code, unique_email


def define_plan_and_seats(project: LiveServer) -> None:
    users = project.client(management=True).mgmt.user
    users.create_custom_attribute("plan", "Plan", "singleselect", options=["free", "pro"])
    users.create_custom_attribute("seats", "Seats", "number", required=True)


def test_definitions_are_created_loaded_and_deleted(server: LiveServer) -> None:
    project = another_project(server)
    users = project.client(management=True).mgmt.user
    assert users.load_custom_attributes() == {"data": []}

    created = users.create_custom_attribute("plan", "Plan", "singleselect", options=["free", "pro"])
    plan = {
        "name": "plan",
        "displayName": "Plan",
        "type": 4,
        "options": [{"value": "free", "label": "free"}, {"value": "pro", "label": "pro"}],
        "required": False,
    }
    assert created == {"data": [plan]}
    seats = users.create_custom_attribute("seats", "Seats", "number", required=True)["data"][1]
    assert (seats["type"], seats["required"], seats["options"]) == (2, True, [])
    assert users.load_custom_attributes() == {"data": [plan, seats]}

    assert users.delete_custom_attribute("seats") == {"data": [plan]}
    assert users.delete_custom_attribute("never-defined") == {"data": [plan]}
    assert users.load_custom_attributes() == {"data": [plan]}


def test_descopes_own_spelling_numbers_and_labelled_options(server: LiveServer) -> None:
    project = another_project(server)
    body = {
        "attributes": [
            {"name": "region", "displayName": "Region", "type": 5, "options": [{"value": "eu", "label": "Europe"}]},
            {"name": "vip", "type": 3, "viewPermissions": [], "editable": True},  # extra fields are ignored
        ]
    }
    response = mgmt_request(project, "POST", "/v1/mgmt/user/customattribute/create", body)
    assert response.status_code == 200, response.text
    region, vip = response.json()["data"]
    assert region["options"] == [{"value": "eu", "label": "Europe"}]
    assert (vip["type"], vip["displayName"]) == (3, "vip")  # the name when no display name is given


def test_a_name_is_defined_once_and_a_refused_request_defines_nothing(server: LiveServer) -> None:
    project = another_project(server)
    users = project.client(management=True).mgmt.user
    users.create_custom_attribute("plan", "Plan", "string")
    assert refused_code(users.create_custom_attribute, "plan", "Again", "number") == "E112107"
    twice = {"attributes": [{"name": "a", "type": 1}, {"name": "b", "type": 1}, {"name": "a", "type": 2}]}
    response = mgmt_request(project, "POST", "/v1/mgmt/user/customattribute/create", twice)
    assert response.json()["errorCode"] == "E112107"
    assert [attribute["name"] for attribute in users.load_custom_attributes()["data"]] == ["plan"]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("create", {"attributes": [{"name": "x", "type": "colour"}]}, "E011004"),
        ("create", {"attributes": [{"name": "x", "type": 8}]}, "E011004"),
        ("create", {"attributes": [{"name": "x", "type": True}]}, "E011003"),
        ("create", {"attributes": [{"name": "x", "type": 4}]}, "E011004"),  # a select without options
        ("create", {"attributes": [{"name": "x", "type": 1, "options": ["a"]}]}, "E011004"),
        ("create", {"attributes": [{"name": "x", "type": 4, "options": [{"label": ""}]}]}, "E011004"),
        ("create", {"attributes": [{"type": 1}]}, "E011002"),
        ("create", {"attributes": [{"name": "x" * 101, "type": 1}]}, "E011003"),
        ("create", {"attributes": []}, "E011002"),
        ("delete", {"names": []}, "E011002"),
        ("delete", {}, "E011002"),
    ],
)
def test_bad_definitions_get_descope_errors(server: LiveServer, path: str, body: dict[str, Any], code: str) -> None:
    response = mgmt_request(server, "POST", f"/v1/mgmt/user/customattribute/{path}", body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == code


def test_without_definitions_users_carry_any_attributes(server: LiveServer) -> None:
    users = another_project(server).client(management=True).mgmt.user
    created = users.create(unique_email("free"), custom_attributes={"anything": [1, {"goes": True}]})["user"]
    assert created["customAttributes"] == {"anything": [1, {"goes": True}]}


def test_defined_attributes_take_values_of_their_type(server: LiveServer) -> None:
    project = another_project(server)
    define_plan_and_seats(project)
    users = project.client(management=True).mgmt.user
    login_id = unique_email("typed")

    assert users.create(login_id, custom_attributes={"plan": "pro", "seats": 3})["user"]["customAttributes"] == {
        "plan": "pro",
        "seats": 3,
    }
    assert users.update_custom_attribute(login_id, "plan", "free")["user"]["customAttributes"]["plan"] == "free"
    assert users.patch(login_id, custom_attributes={"seats": None})["user"]["customAttributes"]["seats"] is None


@pytest.mark.parametrize(
    "attributes",
    [
        {"colour": "red"},  # not defined
        {"plan": "gold"},  # not among the options
        {"seats": "three"},
        {"seats": True},  # a boolean is not a number
        {"plan": ["pro"]},
    ],
)
def test_undefined_attributes_and_wrong_values_are_refused(server: LiveServer, attributes: dict[str, Any]) -> None:
    project = another_project(server)
    define_plan_and_seats(project)
    users = project.client(management=True).mgmt.user
    refused_login_id, login_id = unique_email("refused"), unique_email("kept")
    assert refused_code(users.create, refused_login_id, custom_attributes=attributes) == "E011004"
    assert refused_code(users.load, refused_login_id) == "E112102"  # nothing was created

    users.create(login_id, custom_attributes={"plan": "pro"})
    assert refused_code(users.patch, login_id, custom_attributes=attributes) == "E011004"
    assert refused_code(users.update, login_id, custom_attributes=attributes) == "E011004"
    name, value = next(iter(attributes.items()))
    assert refused_code(users.update_custom_attribute, login_id, name, value) == "E011004"
    assert users.load(login_id)["user"]["customAttributes"] == {"plan": "pro"}

    result = users.patch_batch([UserObj(login_id, custom_attributes=attributes)])
    assert result["patchedUsers"] == []
    assert "custom attribute" in result["failedUsers"][0]["failure"].lower()


def test_values_stored_before_a_definition_went_stay_and_block_nothing(server: LiveServer) -> None:
    project = another_project(server)
    users = project.client(management=True).mgmt.user
    login_id = unique_email("legacy")
    users.create(login_id, custom_attributes={"legacy": "yes"})
    define_plan_and_seats(project)

    patched = users.patch(login_id, display_name="Still editable", custom_attributes={"seats": 2})["user"]
    assert patched["customAttributes"] == {"legacy": "yes", "seats": 2}
    users.delete_custom_attribute("seats")
    assert users.load(login_id)["user"]["customAttributes"] == {"legacy": "yes", "seats": 2}
