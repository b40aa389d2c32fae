"""Batch user management through the SDK: ``delete_batch`` and ``patch_batch``."""

from __future__ import annotations

import pytest
from descope import AuthException, UserObj

from tests.support import LiveServer, error_code, mgmt_request, refused_code, signed_in, unique_email


def test_delete_batch_deletes_the_users_and_ends_their_sessions(server: LiveServer) -> None:
    client = server.client(management=True)
    doomed, kept = unique_email("doomed"), unique_email("kept")
    session = signed_in(server, doomed)
    other_id = client.mgmt.user.create(unique_email("doomed"))["user"]["userId"]
    client.mgmt.user.create(kept)
    before = client.mgmt.user.search_all()["total"]

    client.mgmt.user.delete_batch([session["user"]["userId"], other_id, "U2doesnotexist"])

    for user_id in (session["user"]["userId"], other_id):
        assert refused_code(client.mgmt.user.load_by_user_id, user_id) == "E112102"
    assert client.mgmt.user.load(kept)["user"]["loginIds"] == [kept]
    assert client.mgmt.user.search_all()["total"] == before - 2
    with pytest.raises(AuthException) as revoked:
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert revoked.value.status_code == 401
    client.mgmt.user.create(doomed)  # the login ID is free again


def test_delete_batch_of_unknown_users_succeeds(server: LiveServer) -> None:
    server.client(management=True).mgmt.user.delete_batch(["U2doesnotexist"])  # as a single delete: idempotent


def test_delete_batch_needs_user_ids(server: LiveServer) -> None:
    assert refused_code(server.client(management=True).mgmt.user.delete_batch, []) == "E011002"


def test_patch_batch_changes_only_what_each_user_gives(server: LiveServer) -> None:
    client = server.client(management=True)
    first, second = unique_email("first"), unique_email("second")
    client.mgmt.user.create(first, given_name="Ada", custom_attributes={"plan": "free", "seats": 1})
    client.mgmt.user.create(second, given_name="Grace")

    result = client.mgmt.user.patch_batch(
        [
            UserObj(first, display_name="Ada L.", custom_attributes={"plan": "pro"}),
            UserObj(second, phone="+14155550123", verified_phone=True),
        ]
    )

    assert result["failedUsers"] == []
    patched = {user["loginIds"][0]: user for user in result["patchedUsers"]}
    assert (patched[first]["name"], patched[first]["givenName"]) == ("Ada L.", "Ada")
    assert patched[first]["customAttributes"] == {"plan": "pro", "seats": 1}  # merged, as a patch does
    assert (patched[second]["phone"], patched[second]["verifiedPhone"]) == ("+14155550123", True)
    assert patched[second]["givenName"] == "Grace"
    assert client.mgmt.user.load(first)["user"]["name"] == "Ada L."


def test_patch_batch_reports_each_failure_and_patches_the_rest(server: LiveServer) -> None:
    client = server.client(management=True)
    good, missing, unroled, bad_email = (unique_email(tag) for tag in ("good", "missing", "unroled", "bad"))
    for login_id in (good, unroled, bad_email):
        client.mgmt.user.create(login_id)

    result = client.mgmt.user.patch_batch(
        [
            UserObj(missing, display_name="nobody"),
            UserObj(good, display_name="patched"),
            UserObj(bad_email, email="not@@an-email"),
            UserObj(unroled, role_names=["no-such-role"], display_name="unchanged"),
        ]
    )

    assert [user["loginIds"][0] for user in result["patchedUsers"]] == [good]
    failures = {failed["user"]["loginIds"][0]: failed["failure"] for failed in result["failedUsers"]}
    assert set(failures) == {missing, bad_email, unroled}
    assert "not found" in failures[missing].lower()
    assert "no-such-role" in failures[unroled]
    assert client.mgmt.user.load(bad_email)["user"]["email"] == ""  # a failed patch changed nothing
    assert client.mgmt.user.load(unroled)["user"]["name"] == ""


def test_patch_batch_can_disable_users_and_ends_their_sessions(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("disabled")
    session = signed_in(server, login_id)
    result = client.mgmt.user.patch_batch([UserObj(login_id, status="disabled")])
    assert result["patchedUsers"][0]["status"] == "disabled"
    with pytest.raises(AuthException) as refused:
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refused.value.status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"users": []}, "E011002"),
        ({}, "E011002"),
        ({"users": [{"loginId": "a@example.com", "status": "asleep"}]}, "E011003"),
        ({"users": "everyone"}, "E011003"),
    ],
)
def test_patch_batch_bad_requests(server: LiveServer, body: object, code: str) -> None:
    response = mgmt_request(server, "PATCH", "/v1/mgmt/user/patch/batch", body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == code


def test_patch_batch_user_without_login_id_is_a_failure_of_its_own(server: LiveServer) -> None:
    good = unique_email("good")
    server.client(management=True).mgmt.user.create(good)
    response = mgmt_request(
        server, "PATCH", "/v1/mgmt/user/patch/batch", {"users": [{"displayName": "x"}, {"loginId": good, "name": "y"}]}
    )
    assert response.status_code == 200, response.text
    assert [user["name"] for user in response.json()["patchedUsers"]] == ["y"]
    assert len(response.json()["failedUsers"]) == 1


def test_delete_batch_bad_requests(server: LiveServer) -> None:
    response = mgmt_request(server, "POST", "/v1/mgmt/user/delete/batch", {"userIds": ["U" * 65]})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011003"
    with pytest.raises(AuthException) as refused:
        server.client(management=True).mgmt.user.delete_batch(None)
    assert error_code(refused.value) == "E011002"
