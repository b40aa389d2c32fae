"""User management (contract §5.1) through the SDK's ``client.mgmt.user``: what each call
changes as a user (or an app reading JWT claims) would notice it."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from descope import AssociatedTenant, AuthException, DeliveryMethod, UserObj

from tests.support import LiveServer, error_code, signed_in, unique_email, unique_phone


def _name(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(4)}"


def _tenant(client: Any, name: str | None = None) -> str:
    return str(client.mgmt.tenant.create(name or _name("tenant"))["id"])


def _role(client: Any, permissions: list[str] | None = None, tenant_id: str | None = None) -> str:
    name = _name("role")
    for permission in permissions or ():
        client.mgmt.permission.create(permission)
    client.mgmt.role.create(name, permission_names=permissions or [], tenant_id=tenant_id)
    return name


def _raises(code: str, call: Any, *args: Any, **kwargs: Any) -> AuthException:
    with pytest.raises(AuthException) as raised:
        call(*args, **kwargs)
    assert error_code(raised.value) == code, raised.value.error_message
    return raised.value


def _signed_in_again(server: LiveServer, login_id: str) -> dict[str, Any]:
    """Another sign-in of an existing user, with the code of *this* sign-in's message."""
    client, sent = server.client(), server.inbox.count(login_id)
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    code = server.inbox.code_for(login_id, after=sent)
    return dict(client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code))


def _mgmt_post(server: LiveServer, path: str, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.project_id}:{server.management_key}"}
    return httpx.post(f"{server.base_url}{path}", json=body, headers=headers)


# --- create -----------------------------------------------------------------------------------
def test_create_stores_every_field(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, phone = unique_email("full"), unique_phone()
    created = client.mgmt.user.create(
        login_id,
        email=login_id,
        phone=phone,
        display_name="Ada Lovelace",
        given_name="Ada",
        family_name="Lovelace",
        picture="https://example.com/ada.png",
        custom_attributes={"plan": "pro", "seats": 3},
        verified_email=True,
        verified_phone=False,
        additional_login_ids=["ada"],
        status="disabled",
    )["user"]
    loaded = client.mgmt.user.load(login_id)["user"]
    assert loaded == created
    assert loaded["loginIds"] == [login_id, "ada"]
    assert (loaded["name"], loaded["givenName"], loaded["familyName"]) == ("Ada Lovelace", "Ada", "Lovelace")
    assert (loaded["email"], loaded["verifiedEmail"], loaded["phone"], loaded["verifiedPhone"]) == (
        login_id,
        True,
        phone,
        False,
    )
    assert loaded["picture"] == "https://example.com/ada.png"
    assert loaded["customAttributes"] == {"plan": "pro", "seats": 3}
    assert loaded["status"] == "disabled"
    assert client.mgmt.user.load("ada")["user"]["userId"] == loaded["userId"]


def test_create_accepts_descope_docs_spellings(server: LiveServer) -> None:
    login_id = unique_email("docs")
    body = {"loginId": login_id, "name": "Doc Name", "additionalIdentifiers": ["doc-alias"], "ssoAppIDs": None}
    answer = _mgmt_post(server, "/v1/mgmt/user/create", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["name"] == "Doc Name"
    assert answer.json()["user"]["loginIds"] == [login_id, "doc-alias"]


def test_create_with_roles_and_tenants(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = _tenant(client)
    project_role, tenant_role = _role(client, [_name("read")]), _role(client, [_name("manage")])
    login_id = unique_email("authz")
    created = client.mgmt.user.create(
        login_id, email=login_id, role_names=[project_role], user_tenants=[AssociatedTenant(tenant_id, [tenant_role])]
    )["user"]
    assert created["roleNames"] == [project_role]
    assert [(t["tenantId"], t["roleNames"]) for t in created["userTenants"]] == [(tenant_id, [tenant_role])]

    session = signed_in(server, login_id)
    assert session["roles"] == [project_role]
    assert session["tenants"][tenant_id]["roles"] == [tenant_role]


def test_create_with_unknown_role_or_tenant_creates_nothing(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("nope")
    refused = _raises("E112301", client.mgmt.user.create, login_id, role_names=["no-such-role"])
    assert "no-such-role" in str(refused.error_message)
    assert refused.status_code == 404
    _raises("E112201", client.mgmt.user.create, login_id, user_tenants=[AssociatedTenant("T2nosuchtenant")])
    _raises("E112102", client.mgmt.user.load, login_id)


def test_create_rejects_a_taken_login_id(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("taken")
    client.mgmt.user.create(login_id)
    _raises("E062107", client.mgmt.user.create, login_id.upper())


def test_invited_user_is_enabled_by_its_first_sign_in(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("invited")
    assert client.mgmt.user.invite(login_id, email=login_id)["user"]["status"] == "invited"
    signed_in(server, login_id)
    assert client.mgmt.user.load(login_id)["user"]["status"] == "enabled"


def test_created_test_user_honours_fields(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("tester")
    user = client.mgmt.user.create_test_user(login_id, email=login_id, custom_attributes={"qa": True})["user"]
    assert (user["test"], user["customAttributes"]) == (True, {"qa": True})


def test_batch_create_reports_failures_without_stopping(server: LiveServer) -> None:
    client = server.client(management=True)
    taken = unique_email("batch-taken")
    client.mgmt.user.create(taken)
    first, last, bad = unique_email("batch-a"), unique_email("batch-b"), unique_email("batch-bad")
    answer = client.mgmt.user.invite_batch(
        [
            UserObj(first, email=first, display_name="First", custom_attributes={"n": 1}),
            UserObj(taken),
            UserObj(bad, role_names=["no-such-role"]),
            UserObj(last, status="enabled"),
        ]
    )
    assert [user["loginIds"] for user in answer["createdUsers"]] == [[first], [last]]
    assert [user["status"] for user in answer["createdUsers"]] == ["invited", "enabled"]
    assert [failed["user"]["loginIds"][0] for failed in answer["failedUsers"]] == [taken, bad]
    assert all(failed["failure"] for failed in answer["failedUsers"])
    assert client.mgmt.user.load(first)["user"]["customAttributes"] == {"n": 1}


# --- update and patch -----------------------------------------------------------------------
def test_update_replaces_everything(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = _tenant(client)
    role = _role(client)
    login_id = unique_email("replace")
    client.mgmt.user.create(
        login_id,
        email=login_id,
        display_name="Old",
        given_name="Old",
        picture="https://example.com/old.png",
        custom_attributes={"a": 1, "b": 2},
        additional_login_ids=[_name("alias")],
        role_names=[role],
        user_tenants=[AssociatedTenant(tenant_id)],
        verified_email=True,
    )
    updated = client.mgmt.user.update(login_id, email=login_id, display_name="New", custom_attributes={"c": 3})["user"]
    assert (updated["name"], updated["givenName"], updated["picture"]) == ("New", "", "")
    assert updated["customAttributes"] == {"c": 3}
    assert updated["loginIds"] == [login_id]
    assert (updated["roleNames"], updated["userTenants"]) == ([], [])
    assert updated["verifiedEmail"] is True  # unchanged address keeps its flag
    assert client.mgmt.user.load(login_id)["user"] == updated


def test_update_of_unknown_user_is_not_found(server: LiveServer) -> None:
    client = server.client(management=True)
    refused = _raises("E112102", client.mgmt.user.update, unique_email("ghost"), display_name="x")
    assert refused.status_code == 404


def test_patch_changes_only_given_fields(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, phone = unique_email("patch"), unique_phone()
    client.mgmt.user.create(login_id, email=login_id, phone=phone, display_name="Keep", custom_attributes={"a": 1})
    patched = client.mgmt.user.patch(login_id, given_name="Given", custom_attributes={"b": 2}, status="disabled")[
        "user"
    ]
    assert (patched["name"], patched["givenName"], patched["phone"]) == ("Keep", "Given", phone)
    assert patched["customAttributes"] == {"a": 1, "b": 2}
    assert patched["status"] == "disabled"


def test_patch_sets_roles_and_replaces_tenants(server: LiveServer) -> None:
    client = server.client(management=True)
    old_tenant, new_tenant = _tenant(client), _tenant(client)
    role = _role(client)
    login_id = unique_email("patch-authz")
    client.mgmt.user.create(login_id, user_tenants=[AssociatedTenant(old_tenant)])
    patched = client.mgmt.user.patch(login_id, role_names=[role], user_tenants=[AssociatedTenant(new_tenant, [role])])
    assert patched["user"]["roleNames"] == [role]
    assert [(t["tenantId"], t["roleNames"]) for t in patched["user"]["userTenants"]] == [(new_tenant, [role])]
    _raises("E112301", client.mgmt.user.patch, login_id, role_names=["no-such-role"])
    assert client.mgmt.user.load(login_id)["user"]["roleNames"] == [role]  # refused patch changed nothing


def test_status_values_outside_descope_are_refused(server: LiveServer) -> None:
    login_id = unique_email("status")
    answer = _mgmt_post(server, "/v1/mgmt/user/create", {"loginId": login_id, "status": "frozen"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"].startswith("E011")


# --- load many, delete test users -------------------------------------------------------------
def test_load_users_by_ids(server: LiveServer) -> None:
    client = server.client(management=True)
    ids = [client.mgmt.user.create(unique_email("many"))["user"]["userId"] for _ in range(3)]
    loaded = client.mgmt.user.load_users([ids[2], "U2unknown", ids[0]])["users"]
    assert [user["userId"] for user in loaded] == [ids[2], ids[0]]


def test_delete_all_test_users_keeps_regular_users(server: LiveServer) -> None:
    client = server.client(management=True)
    tester, regular = unique_email("doomed"), unique_email("kept")
    tenant_id = _tenant(client)
    client.mgmt.user.create_test_user(tester, email=tester, user_tenants=[AssociatedTenant(tenant_id)])
    client.mgmt.user.create(regular)
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, tester)["code"]
    refresh = client.otp.verify_code(DeliveryMethod.EMAIL, tester, code)["refreshSessionToken"]["jwt"]

    client.mgmt.user.delete_all_test_users()
    _raises("E112102", client.mgmt.user.load, tester)
    assert client.mgmt.user.load(regular)["user"]["loginIds"] == [regular]
    with pytest.raises(AuthException):
        client.refresh_session(refresh)


# --- sessions: logout and status ----------------------------------------------------------------
def test_logout_user_revokes_every_refresh_token(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("logout")
    first, second = signed_in(server, login_id), _signed_in_again(server, login_id)
    client.mgmt.user.logout_user(login_id)
    for session in (first, second):
        with pytest.raises(AuthException) as refused:
            client.refresh_session(session["refreshSessionToken"]["jwt"])
        assert error_code(refused.value) == "E064001"
    _signed_in_again(server, login_id)  # signing in again still works


def test_logout_by_user_id(server: LiveServer) -> None:
    client = server.client(management=True)
    session = signed_in(server)
    client.mgmt.user.logout_user_by_user_id(session["userId"])
    with pytest.raises(AuthException):
        client.refresh_session(session["refreshSessionToken"]["jwt"])


def test_disable_blocks_refresh_and_sign_in_until_enabled(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("disabled")
    session = signed_in(server, login_id)
    assert client.mgmt.user.deactivate(login_id)["user"]["status"] == "disabled"
    with pytest.raises(AuthException):
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    with pytest.raises(AuthException) as refused:
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    assert error_code(refused.value) == "E062109"

    assert client.mgmt.user.activate(login_id)["user"]["status"] == "enabled"
    with pytest.raises(AuthException):  # revoked at disable time: enabling does not revive it
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert _signed_in_again(server, login_id)["user"]["status"] == "enabled"


# --- single-field updates ------------------------------------------------------------------------
def test_update_login_id_replaces_removes_and_keeps_the_last(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, renamed, alias = unique_email("old-id"), unique_email("new-id"), _name("alias")
    client.mgmt.user.create(login_id, additional_login_ids=[alias])
    assert client.mgmt.user.update_login_id(login_id, renamed)["user"]["loginIds"] == [renamed, alias]
    assert client.mgmt.user.update_login_id(alias, None)["user"]["loginIds"] == [renamed]
    _raises("E011004", client.mgmt.user.update_login_id, renamed, None)
    other = unique_email("other-id")
    client.mgmt.user.create(other)
    _raises("E062107", client.mgmt.user.update_login_id, renamed, other)
    assert client.mgmt.user.load(renamed)["user"]["loginIds"] == [renamed]


def test_update_email_moves_the_login_id_and_conflicts_on_request(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, new_email = unique_email("mail-old"), unique_email("mail-new")
    client.mgmt.user.create(login_id, email=login_id, verified_email=True)
    updated = client.mgmt.user.update_email(login_id, new_email, verified=True)["user"]
    assert (updated["email"], updated["verifiedEmail"], updated["loginIds"]) == (new_email, True, [new_email])
    assert signed_in(server, new_email)["user"]["userId"] == updated["userId"]

    someone = unique_email("mail-someone")
    client.mgmt.user.create(someone)
    _raises("E062107", client.mgmt.user.update_email, new_email, someone, True, True)
    kept = client.mgmt.user.update_email(new_email, someone, False, False)["user"]
    assert (kept["email"], kept["verifiedEmail"], kept["loginIds"]) == (someone, False, [new_email])
    assert client.mgmt.user.update_email(new_email, None)["user"]["email"] == ""


def test_update_phone_with_verification(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, phone = unique_email("phone"), unique_phone()
    client.mgmt.user.create(login_id)
    updated = client.mgmt.user.update_phone(login_id, phone, verified=True)
    assert (updated["user"]["phone"], updated["user"]["verifiedPhone"]) == (phone, True)
    assert updated["user"]["loginIds"] == [login_id]  # the phone was not a login ID
    _raises("E011004", client.mgmt.user.update_phone, login_id, "not-a-phone")


def test_update_name_picture_and_custom_attribute(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("names")
    client.mgmt.user.create(login_id, display_name="Before", family_name="Family", custom_attributes={"a": 1})
    named = client.mgmt.user.update_display_name(login_id, "After", given_name="Given")["user"]
    assert (named["name"], named["givenName"], named["familyName"]) == ("After", "Given", "Family")
    assert client.mgmt.user.update_picture(login_id, "https://example.com/p.png")["user"]["picture"].endswith("p.png")
    assert client.mgmt.user.update_picture(login_id)["user"]["picture"] == ""
    attributed = client.mgmt.user.update_custom_attribute(login_id, "b", "two")["user"]
    assert attributed["customAttributes"] == {"a": 1, "b": "two"}


# --- roles and tenants, seen in JWT claims --------------------------------------------------------
def test_project_roles_show_in_claims_after_refresh(server: LiveServer) -> None:
    client = server.client(management=True)
    permission = _name("perm")
    admin, viewer = _role(client, [permission]), _role(client)
    login_id = unique_email("roles")
    session = signed_in(server, login_id)
    assert session["roles"] == []

    assert client.mgmt.user.add_roles(login_id, [admin, viewer])["user"]["roleNames"] == sorted([admin, viewer])
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert sorted(refreshed["roles"]) == sorted([admin, viewer])
    assert refreshed["permissions"] == [permission]
    assert client.validate_roles(refreshed, [admin])

    assert client.mgmt.user.remove_roles(login_id, [admin])["user"]["roleNames"] == [viewer]
    assert client.mgmt.user.set_roles(login_id, [admin])["user"]["roleNames"] == [admin]
    refreshed = client.refresh_session(refreshed["refreshSessionToken"]["jwt"])
    assert refreshed["roles"] == [admin]
    refused = _raises("E112301", client.mgmt.user.add_roles, login_id, ["ghost-role"])
    assert "ghost-role" in str(refused.error_message)


def test_tenant_roles_show_under_the_tenant_with_permissions(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = _tenant(client)
    permission = _name("perm")
    owner = _role(client, [permission])
    login_id = unique_email("tenant-roles")
    session = signed_in(server, login_id)

    added = client.mgmt.user.add_tenant_roles(login_id, tenant_id, [owner])["user"]
    assert [(t["tenantId"], t["roleNames"], t["permissions"]) for t in added["userTenants"]] == [
        (tenant_id, [owner], [permission])
    ]
    assert added["roleNames"] == []  # tenant roles are not project roles
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["tenants"][tenant_id] == {"roles": [owner], "permissions": [permission]}
    assert client.validate_tenant_permissions(refreshed, tenant_id, [permission])

    assert (
        client.mgmt.user.remove_tenant_roles(login_id, tenant_id, [owner])["user"]["userTenants"][0]["roleNames"] == []
    )
    assert client.mgmt.user.set_tenant_roles(login_id, tenant_id, [owner])["user"]["userTenants"][0]["roleNames"] == [
        owner
    ]


def test_tenant_scoped_role_is_found_only_in_its_tenant(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id, other_tenant = _tenant(client), _tenant(client)
    local = _role(client, tenant_id=tenant_id)
    login_id = unique_email("tenant-local")
    client.mgmt.user.create(login_id)
    assert client.mgmt.user.add_tenant_roles(login_id, tenant_id, [local])["user"]["userTenants"][0]["roleNames"] == [
        local
    ]
    _raises("E112301", client.mgmt.user.add_tenant_roles, login_id, other_tenant, [local])
    _raises("E112301", client.mgmt.user.add_roles, login_id, [local])
    _raises("E112201", client.mgmt.user.add_tenant_roles, login_id, "T2nosuchtenant", [local])
    _raises("E112305", client.mgmt.user.remove_tenant_roles, login_id, other_tenant, [local])


def test_tenants_add_and_remove(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = _tenant(client)
    role = _role(client)
    login_id = unique_email("member")
    session = signed_in(server, login_id)
    added = client.mgmt.user.add_tenant(login_id, tenant_id)["user"]
    assert [t["tenantId"] for t in added["userTenants"]] == [tenant_id]
    client.mgmt.user.add_tenant_roles(login_id, tenant_id, [role])
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["tenants"][tenant_id]["roles"] == [role]

    assert client.mgmt.user.remove_tenant(login_id, tenant_id)["user"]["userTenants"] == []
    refreshed = client.refresh_session(refreshed["refreshSessionToken"]["jwt"])
    assert tenant_id not in refreshed["tenants"]
    _raises("E112201", client.mgmt.user.add_tenant, login_id, "T2nosuchtenant")


# --- history --------------------------------------------------------------------------------------
def test_history_lists_sign_ins_as_a_bare_array(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("history")
    user_id = signed_in(server, login_id)["userId"]
    _signed_in_again(server, login_id)
    other_id = signed_in(server)["userId"]
    entries = client.mgmt.user.history([user_id, other_id])
    assert isinstance(entries, list)
    assert sorted(entry["userId"] for entry in entries) == sorted([user_id, user_id, other_id])
    assert all(entry["ip"] == "127.0.0.1" and entry["loginTime"] > 0 for entry in entries)
    assert set(entries[0]) >= {"userId", "loginTime", "city", "country", "ip"}
    assert client.mgmt.user.history(["U2unknown"]) == []
