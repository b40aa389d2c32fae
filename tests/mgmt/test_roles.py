"""Roles and permissions through the SDK's ``client.mgmt.role`` / ``client.mgmt.permission``
(contract §5.4), on both backends, and what users see of them in their claims."""

from __future__ import annotations

from typing import Any

import pytest
from descope import AssociatedTenant

from tests.support import LiveServer, mgmt_request, refused_code, signed_in, tag, unique_email


def permissions_by_name(client: Any) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in client.mgmt.permission.load_all()["permissions"]}


def roles_by_name(client: Any, tenant_id: str = "") -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in client.mgmt.role.load_all()["roles"] if r["tenantId"] == tenant_id}


def test_permission_create_update_delete(server: LiveServer) -> None:
    client = server.client(management=True)
    name, renamed = tag("read"), tag("read-all")
    client.mgmt.permission.create(name, "Read things")
    created = permissions_by_name(client)[name]
    assert created["description"] == "Read things"
    assert created["systemDefault"] is False
    assert created["id"].startswith("PERM")
    assert refused_code(client.mgmt.permission.create, name) == "E112304"

    client.mgmt.permission.update(name, renamed, "Read everything")
    by_name = permissions_by_name(client)
    assert name not in by_name
    assert by_name[renamed]["description"] == "Read everything"
    assert by_name[renamed]["id"] == created["id"]
    assert refused_code(client.mgmt.permission.update, name, tag("x")) == "E112303"

    client.mgmt.permission.update_by_id(created["id"], name)  # description is replaced: none given
    assert permissions_by_name(client)[name]["description"] == ""
    client.mgmt.permission.delete(name)
    client.mgmt.permission.delete(name)  # deleting again is fine
    assert name not in permissions_by_name(client)


def test_permission_rename_onto_another_name_is_refused(server: LiveServer) -> None:
    client = server.client(management=True)
    first, second = tag("first"), tag("second")
    client.mgmt.permission.create(first)
    client.mgmt.permission.create(second)
    assert refused_code(client.mgmt.permission.update, first, second) == "E112304"
    client.mgmt.permission.update(first, first, "same name, new text")
    assert permissions_by_name(client)[first]["description"] == "same name, new text"


def test_permission_batches_are_all_or_nothing(server: LiveServer) -> None:
    client = server.client(management=True)
    existing, fresh, another = tag("existing"), tag("fresh"), tag("another")
    client.mgmt.permission.create(existing)
    with_duplicate = [{"name": fresh}, {"name": existing}]
    assert refused_code(client.mgmt.permission.create_batch, with_duplicate) == "E112304"
    assert fresh not in permissions_by_name(client)

    client.mgmt.permission.create_batch([{"name": fresh, "description": "f"}, {"name": another}])
    client.mgmt.permission.update_batch(
        [{"name": fresh, "newName": fresh + "-2", "description": "f2"}, {"name": another, "newName": another + "-2"}]
    )
    by_name = permissions_by_name(client)
    assert by_name[fresh + "-2"]["description"] == "f2"
    assert another + "-2" in by_name

    client.mgmt.permission.delete_batch([fresh + "-2"])
    client.mgmt.permission.delete_batch_by_ids([by_name[another + "-2"]["id"]])
    remaining = permissions_by_name(client)
    assert fresh + "-2" not in remaining
    assert another + "-2" not in remaining
    assert existing in remaining


def test_role_create_load_update_delete(server: LiveServer) -> None:
    client = server.client(management=True)
    read, write = tag("read"), tag("write")
    client.mgmt.permission.create_batch([{"name": read}, {"name": write}])
    name = tag("editor")
    client.mgmt.role.create(name, "Edits", [read, write], default=True)
    role = roles_by_name(client)[name]
    assert role["id"].startswith("ROL")
    assert role["description"] == "Edits"
    assert sorted(role["permissionNames"]) == sorted([read, write])
    assert role["default"] is True
    assert role["private"] is False
    assert role["tenantId"] == ""
    assert abs(role["createdTime"] - server.clock.now()) < 60
    assert refused_code(client.mgmt.role.create, name) == "E112302"
    assert refused_code(client.mgmt.role.create, tag("r"), permission_names=[read, "no-such"]) == "E112303"

    renamed = tag("author")
    client.mgmt.role.update(name, renamed, "Writes", [write], private=True)
    updated = roles_by_name(client)[renamed]
    assert name not in roles_by_name(client)
    assert (updated["id"], updated["description"], updated["permissionNames"]) == (role["id"], "Writes", [write])
    assert updated["default"] is False
    assert updated["private"] is True

    client.mgmt.role.update_by_id(role["id"], name)
    assert roles_by_name(client)[name]["permissionNames"] == []
    assert refused_code(client.mgmt.role.update, tag("ghost"), tag("x")) == "E112301"
    client.mgmt.role.delete(name)
    client.mgmt.role.delete(name)  # deleting again is fine
    assert name not in roles_by_name(client)
    other = tag("other")
    client.mgmt.role.create(other)
    client.mgmt.role.delete_by_id(roles_by_name(client)[other]["id"])
    assert other not in roles_by_name(client)


def test_deleting_a_permission_removes_it_from_roles(server: LiveServer) -> None:
    client = server.client(management=True)
    kept, dropped, role = tag("kept"), tag("dropped"), tag("role")
    client.mgmt.permission.create_batch([{"name": kept}, {"name": dropped}])
    client.mgmt.role.create(role, permission_names=[kept, dropped])
    client.mgmt.permission.delete(dropped)
    assert roles_by_name(client)[role]["permissionNames"] == [kept]


def test_tenant_roles_and_search(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(tag("RoleCo"))["id"]
    perm = tag("approve")
    client.mgmt.permission.create(perm)
    shared = tag("manager")
    client.mgmt.role.create(shared, permission_names=[perm])
    client.mgmt.role.create(shared, "tenant's own", tenant_id=tenant_id)  # same name, other scope
    assert refused_code(client.mgmt.role.create, shared, tenant_id=tenant_id) == "E112302"
    assert refused_code(client.mgmt.role.create, tag("r"), tenant_id=tag("no-tenant")) == "E112201"
    tenant_role = roles_by_name(client, tenant_id)[shared]
    assert tenant_role["description"] == "tenant's own"

    def found(**filters: Any) -> set[tuple[str, str]]:
        return {(r["tenantId"], r["name"]) for r in client.mgmt.role.search(**filters)["roles"]}

    assert found(tenant_ids=[tenant_id]) == {(tenant_id, shared)}
    assert found(tenant_ids=[tenant_id], include_project_roles=True) >= {(tenant_id, shared), ("", shared)}
    assert found(role_names=[shared]) == {(tenant_id, shared), ("", shared)}
    assert found(role_name_like=shared.upper()[2:]) == {(tenant_id, shared), ("", shared)}
    assert found(permission_names=[perm]) == {("", shared)}
    assert found(role_ids=[tenant_role["id"]]) == {(tenant_id, shared)}

    client.mgmt.role.update(shared, shared, "renamed in tenant", tenant_id=tenant_id)
    assert roles_by_name(client, tenant_id)[shared]["description"] == "renamed in tenant"
    assert roles_by_name(client)[shared]["permissionNames"] == [perm]  # the project role is untouched
    client.mgmt.role.delete(shared, tenant_id=tenant_id)
    assert shared not in roles_by_name(client, tenant_id)
    assert shared in roles_by_name(client)


def test_role_batches_are_all_or_nothing(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(tag("BatchCo"))["id"]
    perm = tag("perm")
    client.mgmt.permission.create(perm)
    first, second = tag("first"), tag("second")
    bad_batch = [{"name": first}, {"name": second, "permissionNames": ["missing"]}]
    assert refused_code(client.mgmt.role.create_batch, bad_batch) == "E112303"
    assert first not in roles_by_name(client)

    client.mgmt.role.create_batch(
        [{"name": first, "permissionNames": [perm]}, {"name": second, "tenantId": tenant_id, "private": True}]
    )
    assert roles_by_name(client)[first]["permissionNames"] == [perm]
    assert roles_by_name(client, tenant_id)[second]["private"] is True

    client.mgmt.role.update_batch(
        [
            {"name": first, "newName": first + "-2", "description": "d"},
            {"name": second, "newName": second + "-2", "tenantId": tenant_id},
        ]
    )
    assert roles_by_name(client)[first + "-2"]["permissionNames"] == []
    assert second + "-2" in roles_by_name(client, tenant_id)

    client.mgmt.role.delete_batch([{"name": second + "-2", "tenantId": tenant_id}])
    assert second + "-2" not in roles_by_name(client, tenant_id)
    client.mgmt.role.delete_batch_by_ids([roles_by_name(client)[first + "-2"]["id"]])
    assert first + "-2" not in roles_by_name(client)


def test_renamed_permission_shows_in_roles_and_in_the_users_claims(server: LiveServer) -> None:
    client = server.client(management=True)
    perm, role = tag("billing"), tag("accountant")
    client.mgmt.permission.create(perm)
    client.mgmt.role.create(role, permission_names=[perm])
    login_id = unique_email("accountant")
    client.mgmt.user.create(login_id, email=login_id, role_names=[role])
    session = signed_in(server, login_id)
    assert session["sessionToken"]["permissions"] == [perm]

    renamed = tag("invoicing")
    client.mgmt.permission.update(perm, renamed)

    assert roles_by_name(client)[role]["permissionNames"] == [renamed]
    assert client.mgmt.user.load(login_id)["user"]["permissions"] == [renamed]
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["permissions"] == [renamed]


def test_renamed_and_deleted_roles_show_in_the_users_claims(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(tag("ClaimCo"))["id"]
    role, tenant_role = tag("auditor"), tag("tenant-auditor")
    client.mgmt.role.create(role)
    client.mgmt.role.create(tenant_role, tenant_id=tenant_id)
    login_id = unique_email("auditor")
    client.mgmt.user.create(
        login_id, email=login_id, role_names=[role], user_tenants=[AssociatedTenant(tenant_id, [tenant_role])]
    )
    session = signed_in(server, login_id)
    assert session["sessionToken"]["roles"] == [role]
    assert session["sessionToken"]["tenants"][tenant_id]["roles"] == [tenant_role]

    renamed, tenant_renamed = tag("inspector"), tag("tenant-inspector")
    client.mgmt.role.update(role, renamed)
    client.mgmt.role.update(tenant_role, tenant_renamed, tenant_id=tenant_id)
    user = client.mgmt.user.load(login_id)["user"]
    assert user["roleNames"] == [renamed]
    assert user["userTenants"][0]["roleNames"] == [tenant_renamed]
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["roles"] == [renamed]
    assert refreshed["sessionToken"]["tenants"][tenant_id]["roles"] == [tenant_renamed]

    client.mgmt.role.delete(renamed)
    client.mgmt.role.delete(tenant_renamed, tenant_id=tenant_id)
    user = client.mgmt.user.load(login_id)["user"]
    assert user["roleNames"] == []
    assert user["userTenants"][0]["roleNames"] == []
    refreshed = client.refresh_session(refreshed["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["roles"] == []
    assert refreshed["sessionToken"]["tenants"][tenant_id]["roles"] == []


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/v1/mgmt/permission/create", {}, "E011002"),
        ("/v1/mgmt/permission/create", {"name": " "}, "E011002"),
        ("/v1/mgmt/permission/create", {"name": ["x"]}, "E011003"),
        ("/v1/mgmt/permission/create", {"name": "x" * 201}, "E011003"),
        ("/v1/mgmt/permission/update", {"name": "x"}, "E011002"),
        ("/v1/mgmt/permission/update", {"newName": "x"}, "E011002"),
        ("/v1/mgmt/permission/delete", {}, "E011002"),
        ("/v1/mgmt/permission/create/batch", {}, "E011002"),
        ("/v1/mgmt/permission/create/batch", {"permissions": [{"description": "no name"}]}, "E011002"),
        ("/v1/mgmt/permission/delete/batch", {"names": []}, "E011002"),
        ("/v1/mgmt/role/create", {}, "E011002"),
        ("/v1/mgmt/role/create", {"name": "r", "permissionNames": "x"}, "E011003"),
        ("/v1/mgmt/role/create", {"name": "r", "default": "often"}, "E011003"),
        ("/v1/mgmt/role/update", {"name": "r"}, "E011002"),
        ("/v1/mgmt/role/delete", {"tenantId": "t"}, "E011002"),
        ("/v1/mgmt/role/update/batch", {"roles": "everything"}, "E011003"),
        ("/v1/mgmt/role/delete/batch", {}, "E011002"),
        ("/v1/mgmt/role/delete/batch", {"roleNames": [], "tenantId": None}, "E011002"),
        ("/v1/mgmt/role/search", {"roleIds": {"a": 1}}, "E011003"),
    ],
)
def test_bad_requests_get_descope_errors(server: LiveServer, path: str, body: dict[str, Any], code: str) -> None:
    response = mgmt_request(server, "POST", path, body)
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == code
