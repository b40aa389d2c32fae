"""Access keys through the SDK: management (``client.mgmt.access_key``) and the exchange
(``client.exchange_access_key``) whose session JWT the SDK validates against the JWKS."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from descope import AuthException
from descope.common import AccessKeyLoginOptions
from descope.management.common import AssociatedTenant

from tests.support import LiveServer, error_code, unique_email


def unique(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(4)}"


def new_key(server: LiveServer, **fields: Any) -> dict[str, Any]:
    """A created key: ``{key, cleartext}``."""
    return dict(server.client(management=True).mgmt.access_key.create(unique("key"), **fields))


def exchange_fails(server: LiveServer, cleartext: str) -> str:
    """The error code of a refused exchange (asserting HTTP 401)."""
    with pytest.raises(AuthException) as refused:
        server.client().exchange_access_key(cleartext)
    assert refused.value.status_code == 401
    return error_code(refused.value)


@pytest.fixture(scope="module")
def authz(server: LiveServer) -> dict[str, str]:
    """A permission, a project role granting it, a tenant and a role defined in that tenant."""
    mgmt = server.client(management=True).mgmt
    names = {"permission": unique("read"), "role": unique("reader"), "tenant_role": unique("owner")}
    mgmt.permission.create(names["permission"])
    mgmt.role.create(names["role"], permission_names=[names["permission"]])
    tenant_id = mgmt.tenant.create(unique("Acme"))["id"]
    mgmt.role.create(names["tenant_role"], tenant_id=tenant_id)
    return {**names, "tenant": tenant_id}


def test_exchanged_session_carries_the_keys_identity_and_authorization(
    server: LiveServer, authz: dict[str, str]
) -> None:
    created = new_key(
        server,
        role_names=[authz["role"]],
        key_tenants=[AssociatedTenant(authz["tenant"], [authz["tenant_role"]])],
        custom_claims={"plan": "gold"},
        description="ci robot",
        custom_attributes={"team": "ops"},
    )
    key, cleartext = created["key"], created["cleartext"]
    assert ":" not in cleartext
    assert key["id"] not in ("", cleartext)
    assert key["status"] == "active"
    assert key["expireTime"] == 0
    assert key["description"] == "ci robot"
    assert key["roleNames"] == [authz["role"]]
    assert key["keyTenants"][0]["tenantId"] == authz["tenant"]
    assert key["keyTenants"][0]["roleNames"] == [authz["tenant_role"]]
    assert key["keyTenants"][0]["tenantName"].startswith("Acme-")

    client = server.client()  # a fresh client: it must fetch the JWKS to check the JWT
    exchanged = client.exchange_access_key(cleartext)
    assert exchanged["keyId"] == key["id"]
    claims = client.validate_session(exchanged["sessionToken"]["jwt"])
    assert claims["sub"] == key["id"]
    assert claims["drn"] == "DS"
    assert claims["iss"] == server.project_id
    assert claims["aud"] == [server.project_id]
    assert claims["roles"] == [authz["role"]]
    assert claims["permissions"] == [authz["permission"]]
    assert claims["tenants"][authz["tenant"]]["roles"] == [authz["tenant_role"]]
    assert claims["plan"] == "gold"
    assert 0 < claims["exp"] - claims["iat"] <= 600


def test_raw_answer_and_login_options(server: LiveServer, authz: dict[str, str]) -> None:
    created = new_key(server, key_tenants=[AssociatedTenant(authz["tenant"])], custom_claims={"plan": "gold"})
    response = httpx.post(
        f"{server.base_url}/v1/auth/accesskey/exchange",
        json={"loginOptions": {"selectedTenant": authz["tenant"], "customClaims": {"job": "build", "plan": "free"}}},
        headers={"Authorization": f"Bearer {server.project_id}:{created['cleartext']}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"keyId", "sessionJwt", "expiration"}
    claims = server.client().validate_session(body["sessionJwt"])
    assert body["keyId"] == claims["sub"] == created["key"]["id"]
    assert body["expiration"] == claims["exp"]
    assert claims["dct"] == authz["tenant"]
    assert claims["job"] == "build"
    assert claims["plan"] == "gold"


def test_selecting_a_tenant_the_key_is_not_in_is_refused(server: LiveServer) -> None:
    created = new_key(server)
    with pytest.raises(AuthException) as refused:
        server.client().exchange_access_key(
            created["cleartext"], login_options=AccessKeyLoginOptions(selected_tenant="T2nope")
        )
    assert error_code(refused.value) == "E112305"


def test_reserved_claims_cannot_be_shadowed(server: LiveServer) -> None:
    created = new_key(server, custom_claims={"sub": "someone-else", "drn": "DSR"})
    client = server.client()
    claims = client.validate_session(client.exchange_access_key(created["cleartext"])["sessionToken"]["jwt"])
    assert claims["sub"] == created["key"]["id"]
    assert claims["drn"] == "DS"


def test_missing_and_unknown_keys_are_refused(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/auth/accesskey/exchange",
        json={"loginOptions": {}},
        headers={"Authorization": f"Bearer {server.project_id}"},
    )
    assert response.status_code == 401
    assert response.json()["errorCode"] == "E062802"
    created = new_key(server)
    assert exchange_fails(server, created["cleartext"] + "x") == "E062803"
    assert exchange_fails(server, "K2unknown_" + created["cleartext"].partition("_")[2]) == "E062803"


def test_deactivated_key_is_refused_until_activated(server: LiveServer) -> None:
    mgmt = server.client(management=True).mgmt
    created = new_key(server)
    key_id, cleartext = created["key"]["id"], created["cleartext"]
    mgmt.access_key.deactivate(key_id)
    assert mgmt.access_key.load(key_id)["key"]["status"] == "inactive"
    assert exchange_fails(server, cleartext) == "E062803"
    mgmt.access_key.activate(key_id)
    assert server.client().exchange_access_key(cleartext)["keyId"] == key_id


def test_session_lifetime_is_capped_at_the_keys_expiry_and_expired_keys_are_refused(server: LiveServer) -> None:
    expire_time = int(server.clock.now()) + 120
    created = new_key(server, expire_time=expire_time)
    assert created["key"]["expireTime"] == expire_time
    claims = server.client().exchange_access_key(created["cleartext"])["sessionToken"]
    assert claims["exp"] == expire_time  # the session TTL (600 s) would outlive the key
    server.clock.advance(121)
    try:
        assert exchange_fails(server, created["cleartext"]) == "E062803"
    finally:
        server.clock.advance(-121)


def test_expiry_in_the_past_is_refused(server: LiveServer) -> None:
    with pytest.raises(AuthException) as refused:
        new_key(server, expire_time=int(server.clock.now()) - 10)
    assert error_code(refused.value) == "E011004"


def test_rotation_kills_the_old_secret_at_once(server: LiveServer, authz: dict[str, str]) -> None:
    mgmt = server.client(management=True).mgmt
    created = new_key(server, role_names=[authz["role"]])
    rotated = mgmt.access_key.rotate(created["key"]["id"])
    assert rotated["key"]["id"] == created["key"]["id"]
    assert rotated["key"]["roleNames"] == [authz["role"]]
    assert rotated["cleartext"] != created["cleartext"]
    assert exchange_fails(server, created["cleartext"]) == "E062803"
    assert server.client().exchange_access_key(rotated["cleartext"])["keyId"] == created["key"]["id"]


def test_permitted_ips_are_enforced(server: LiveServer) -> None:
    mgmt = server.client(management=True).mgmt
    created = new_key(server, permitted_ips=["10.0.0.0/8", "192.168.1.7"])
    key_id, cleartext = created["key"]["id"], created["cleartext"]
    assert created["key"]["permittedIps"] == ["10.0.0.0/8", "192.168.1.7"]
    assert exchange_fails(server, cleartext) == "E062803"  # the tests call from 127.0.0.1
    mgmt.access_key.update(key_id, created["key"]["name"], permitted_ips=["10.0.0.0/8", "127.0.0.0/8"])
    assert server.client().exchange_access_key(cleartext)["keyId"] == key_id
    mgmt.access_key.update(key_id, created["key"]["name"], permitted_ips=["127.0.0.1"])
    assert server.client().exchange_access_key(cleartext)["keyId"] == key_id


def test_malformed_permitted_ip_is_refused(server: LiveServer) -> None:
    with pytest.raises(AuthException) as refused:
        new_key(server, permitted_ips=["not-an-ip"])
    assert error_code(refused.value) == "E011004"


def test_unknown_role_tenant_or_user_is_refused(server: LiveServer, authz: dict[str, str]) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"role_names": [unique("ghost")]}, "E112301"),
        ({"key_tenants": [AssociatedTenant("T2doesnotexist")]}, "E112201"),
        ({"key_tenants": [AssociatedTenant(authz["tenant"], [unique("ghost")])]}, "E112301"),
        ({"user_id": "U2doesnotexist"}, "E112102"),
    ]
    for fields, code in cases:
        with pytest.raises(AuthException) as refused:
            new_key(server, **fields)
        assert error_code(refused.value) == code, fields


def test_update_changes_only_what_is_given(server: LiveServer) -> None:
    mgmt = server.client(management=True).mgmt
    created = new_key(server, description="before", custom_claims={"plan": "gold"}, custom_attributes={"a": 1})
    key_id = created["key"]["id"]
    mgmt.access_key.update(key_id, "renamed", custom_claims={"plan": "platinum"})
    loaded = mgmt.access_key.load(key_id)["key"]
    assert loaded["name"] == "renamed"
    assert loaded["description"] == "before"
    assert loaded["customClaims"] == {"plan": "platinum"}
    assert loaded["customAttributes"] == {"a": 1}
    assert server.client().exchange_access_key(created["cleartext"])["sessionToken"]["plan"] == "platinum"


def test_delete_and_batch_operations(server: LiveServer) -> None:
    mgmt = server.client(management=True).mgmt
    keys = [new_key(server) for _ in range(3)]
    ids = [k["key"]["id"] for k in keys]
    mgmt.access_key.deactivate_batch(ids[:2])
    assert [exchange_fails(server, k["cleartext"]) for k in keys[:2]] == ["E062803", "E062803"]
    mgmt.access_key.activate_batch(ids[:2])
    assert server.client().exchange_access_key(keys[0]["cleartext"])["keyId"] == ids[0]

    mgmt.access_key.delete(ids[0])
    assert exchange_fails(server, keys[0]["cleartext"]) == "E062803"
    mgmt.access_key.delete_batch(ids[1:])
    for key_id in ids:
        with pytest.raises(AuthException) as missing:
            mgmt.access_key.load(key_id)
        assert error_code(missing.value) == "E112401"
    with pytest.raises(AuthException) as unknown:
        mgmt.access_key.deactivate_batch([ids[0]])  # all or nothing: an unknown ID refuses the call
    assert error_code(unknown.value) == "E112401"


def test_search_filters(server: LiveServer, authz: dict[str, str]) -> None:
    mgmt = server.client(management=True).mgmt
    user_id = mgmt.user.create(unique_email("bound"))["user"]["userId"]
    tag = unique("batch")
    in_tenant = new_key(server, key_tenants=[AssociatedTenant(authz["tenant"])], custom_attributes={"tag": tag})
    bound = new_key(server, user_id=user_id, custom_attributes={"tag": tag, "tier": "b"})
    plain = new_key(server)
    ids = {k["key"]["id"] for k in (in_tenant, bound, plain)}

    def found(**filters: Any) -> set[str]:
        return {k["id"] for k in mgmt.access_key.search_all_access_keys(**filters)["keys"]} & ids

    assert found() == ids
    assert found(tenant_ids=[authz["tenant"]]) == {in_tenant["key"]["id"]}
    assert found(bound_user_id=user_id) == {bound["key"]["id"]}
    assert bound["key"]["boundUserId"] == user_id
    assert found(custom_attributes={"tag": tag}) == {in_tenant["key"]["id"], bound["key"]["id"]}
    assert found(custom_attributes={"tag": tag, "tier": ["a", "b"]}) == {bound["key"]["id"]}
    creator = plain["key"]["createdBy"]
    assert creator
    assert found(creating_user=creator) == ids
    assert found(creating_user="someone-else") == set()


def test_key_bound_to_a_user_acts_with_the_users_authorization(server: LiveServer, authz: dict[str, str]) -> None:
    mgmt = server.client(management=True).mgmt
    login_id = unique_email("owner")
    user_id = mgmt.user.create(login_id, role_names=[authz["role"]])["user"]["userId"]
    created = new_key(server, user_id=user_id, key_tenants=[AssociatedTenant(authz["tenant"])])
    claims = server.client().exchange_access_key(created["cleartext"])["sessionToken"]
    assert claims["sub"] == created["key"]["id"]
    assert claims["roles"] == [authz["role"]]
    assert claims["tenants"] == {}
    mgmt.user.deactivate(login_id)
    assert exchange_fails(server, created["cleartext"]) == "E062803"


def test_exchanged_session_jwt_is_not_a_refresh_token(server: LiveServer) -> None:
    created = new_key(server)
    session_jwt = server.client().exchange_access_key(created["cleartext"])["sessionToken"]["jwt"]
    response = httpx.post(
        f"{server.base_url}/v1/auth/refresh",
        json={},
        headers={"Authorization": f"Bearer {server.project_id}:{session_jwt}"},
    )
    assert response.status_code == 401
    assert response.json()["errorCode"] == "E064002"
