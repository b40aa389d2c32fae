"""Tenants through the SDK's ``client.mgmt.tenant`` (contract §5.3), on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from descope import AssociatedTenant, AuthException

from tests.support import LiveServer, mgmt_request, refused_code, signed_in, tag, unique_email


def test_create_with_and_without_id_then_load(server: LiveServer) -> None:
    tenants = server.client(management=True).mgmt.tenant
    chosen = tag("acme")
    assert tenants.create(tag("Acme"), id=chosen) == {"id": chosen}
    name = tag("Globex")
    created = tenants.create(name, self_provisioning_domains=["Globex.example"], custom_attributes={"tier": "gold"})
    generated = created["id"]
    assert generated.startswith("T2")
    assert len(generated) == 28

    loaded = tenants.load(generated)
    assert loaded["id"] == generated
    assert loaded["name"] == name
    assert loaded["selfProvisioningDomains"] == ["globex.example"]
    assert loaded["customAttributes"] == {"tier": "gold"}
    assert abs(loaded["createdTime"] - server.clock.now()) < 60
    assert loaded["enforceSSO"] is False
    assert loaded["disabled"] is False
    ids = {tenant["id"] for tenant in tenants.load_all()["tenants"]}
    assert {chosen, generated} <= ids


def test_duplicate_id_or_name_is_refused(server: LiveServer) -> None:
    tenants = server.client(management=True).mgmt.tenant
    tenant_id, name = tag("dup"), tag("Dup")
    tenants.create(name, id=tenant_id)
    assert refused_code(tenants.create, tag("Other"), id=tenant_id) == "E112202"
    assert refused_code(tenants.create, name) == "E112202"
    other = tenants.create(tag("Other"))["id"]
    assert refused_code(tenants.update, other, name) == "E112202"
    assert refused_code(tenants.patch_tenant, other, name=name) == "E112202"


def test_update_replaces_and_patch_changes_only_given_fields(server: LiveServer) -> None:
    tenants = server.client(management=True).mgmt.tenant
    tenant_id = tenants.create(
        tag("Initech"), self_provisioning_domains=["initech.example"], custom_attributes={"size": 10}, enforce_sso=True
    )["id"]

    renamed = tag("Initrode")
    tenants.update(tenant_id, renamed, disabled=True)
    loaded = tenants.load(tenant_id)
    assert loaded["name"] == renamed
    assert loaded["disabled"] is True
    assert loaded["selfProvisioningDomains"] == []
    assert loaded["customAttributes"] == {}
    assert loaded["enforceSSO"] is False

    tenants.patch_tenant(tenant_id, custom_attributes={"size": 20}, enforce_sso_exclusions=["U2abc"])
    patched = tenants.load(tenant_id)
    assert patched["name"] == renamed
    assert patched["disabled"] is True
    assert patched["customAttributes"] == {"size": 20}
    assert patched["enforceSSOExclusions"] == ["U2abc"]


def test_search_by_ids_names_domains_and_custom_attributes(server: LiveServer) -> None:
    tenants = server.client(management=True).mgmt.tenant
    region = tag("region")
    north_name = tag("North")
    north = tenants.create(
        north_name,
        self_provisioning_domains=[f"{region}.north.example"],
        custom_attributes={"r": region},
    )["id"]
    south = tenants.create(tag("South"), custom_attributes={"r": region, "warm": True})["id"]

    def found(**filters: Any) -> set[str]:
        return {tenant["id"] for tenant in tenants.search_all(**filters)["tenants"]}

    assert found(ids=[north, south, "nope"]) == {north, south}
    assert found(names=[north_name]) == {north}
    assert found(self_provisioning_domains=[f"{region}.NORTH.example"]) == {north}
    assert found(custom_attributes={"r": region}) == {north, south}
    assert found(custom_attributes={"r": region, "warm": True}) == {south}
    assert found(custom_attributes={"r": [region, "elsewhere"]}) == {north, south}
    assert found(ids=[north], custom_attributes={"warm": True}) == set()
    assert {north, south} <= found()


def test_settings_round_trip(server: LiveServer) -> None:
    tenants = server.client(management=True).mgmt.tenant
    tenant_id = tenants.create(tag("Settings"))["id"]
    tenants.update_settings(
        tenant_id,
        self_provisioning_domains=["sso.example"],
        domains=["Login.example"],
        session_settings_enabled=True,
        refresh_token_expiration=3,
        session_token_expiration=15,
        enable_inactivity=True,
        inactivity_time=30,
        JITDisabled=True,
        enforce_sso=True,
    )
    response = mgmt_request(
        server,
        "POST",
        "/v1/mgmt/tenant/settings",
        {"tenantId": tenant_id, "refreshTokenExpirationUnit": "days", "authType": "saml"},
    )
    assert response.status_code == 200, response.text

    settings = tenants.load_settings(tenant_id)
    assert settings["selfProvisioningDomains"] == ["sso.example"]
    assert settings["domains"] == ["login.example"]
    assert settings["enabled"] is True
    assert settings["authType"] == "saml"
    assert (settings["refreshTokenExpiration"], settings["refreshTokenExpirationUnit"]) == (3, "days")
    assert (settings["sessionTokenExpiration"], settings["sessionTokenExpirationUnit"]) == (15, "minutes")
    assert settings["enableInactivity"] is True
    assert settings["inactivityTime"] == 30
    assert settings["JITDisabled"] is True
    assert settings["enforceSSO"] is True
    loaded = tenants.load(tenant_id)  # the tenant shows the settings it shares
    assert loaded["selfProvisioningDomains"] == ["sso.example"]
    assert loaded["authType"] == "saml"


def test_delete_ends_memberships_and_removes_the_tenants_roles(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(tag("Doomed"))["id"]
    kept_tenant = client.mgmt.tenant.create(tag("Kept"))["id"]
    tenant_role, project_role = tag("tenant-admin"), tag("viewer")
    client.mgmt.role.create(tenant_role, tenant_id=tenant_id)
    client.mgmt.role.create(project_role)
    login_id = unique_email("member")
    client.mgmt.user.create(
        login_id,
        email=login_id,
        role_names=[project_role],
        user_tenants=[AssociatedTenant(tenant_id, [tenant_role, project_role]), AssociatedTenant(kept_tenant)],
    )
    session = signed_in(server, login_id)
    assert set(session["sessionToken"]["tenants"]) == {tenant_id, kept_tenant}

    client.mgmt.tenant.delete(tenant_id)

    user = client.mgmt.user.load(login_id)["user"]
    assert [t["tenantId"] for t in user["userTenants"]] == [kept_tenant]
    assert user["roleNames"] == [project_role]
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert set(refreshed["sessionToken"]["tenants"]) == {kept_tenant}
    assert refused_code(client.mgmt.tenant.load, tenant_id) == "E112201"
    assert client.mgmt.role.search(tenant_ids=[tenant_id])["roles"] == []
    # a new tenant under the old ID starts empty
    client.mgmt.tenant.create(tag("Reborn"), id=tenant_id)
    client.mgmt.user.add_tenant(login_id, tenant_id)
    reborn = client.mgmt.user.load(login_id)["user"]["userTenants"]
    assert {t["tenantId"]: t["roleNames"] for t in reborn}[tenant_id] == []


def test_cascade_delete_removes_users_that_belonged_only_to_it(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(tag("Cascade"))["id"]
    other_tenant = client.mgmt.tenant.create(tag("Elsewhere"))["id"]
    only_here, also_elsewhere, no_tenant = unique_email("only"), unique_email("both"), unique_email("none")
    client.mgmt.user.create(only_here, email=only_here, user_tenants=[AssociatedTenant(tenant_id)])
    client.mgmt.user.create(
        also_elsewhere, email=also_elsewhere, user_tenants=[AssociatedTenant(tenant_id), AssociatedTenant(other_tenant)]
    )
    client.mgmt.user.create(no_tenant, email=no_tenant)
    session = signed_in(server, only_here)

    client.mgmt.tenant.delete(tenant_id, cascade=True)

    assert refused_code(client.mgmt.user.load, only_here) == "E112102"
    with pytest.raises(AuthException):
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    survivor = client.mgmt.user.load(also_elsewhere)["user"]
    assert [t["tenantId"] for t in survivor["userTenants"]] == [other_tenant]
    assert client.mgmt.user.load(no_tenant)["user"]["userTenants"] == []


def test_deleting_an_unknown_tenant_succeeds(server: LiveServer) -> None:
    server.client(management=True).mgmt.tenant.delete(tag("never-was"), cascade=True)


@pytest.mark.parametrize(
    ("method", "path", "body", "code"),
    [
        ("POST", "/v1/mgmt/tenant/create", {}, "E011002"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "  "}, "E011002"),
        ("POST", "/v1/mgmt/tenant/create", {"name": 5}, "E011003"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "x", "selfProvisioningDomains": "a.example"}, "E011003"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "x", "selfProvisioningDomains": ["not a domain"]}, "E011004"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "x", "id": "has space"}, "E011004"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "x", "id": "a" * 65}, "E011003"),
        ("POST", "/v1/mgmt/tenant/create", {"name": "x", "customAttributes": [1]}, "E011003"),
        ("POST", "/v1/mgmt/tenant/update", {"name": "x"}, "E011002"),
        ("POST", "/v1/mgmt/tenant/update", {"id": "missing-tenant", "name": "x"}, "E112201"),
        ("PATCH", "/v1/mgmt/tenant/patch", {"id": "missing-tenant", "name": "x"}, "E112201"),
        ("POST", "/v1/mgmt/tenant/delete", {"cascade": True}, "E011002"),
        ("GET", "/v1/mgmt/tenant", None, "E011002"),
        ("GET", "/v1/mgmt/tenant?id=missing-tenant", None, "E112201"),
        ("GET", "/v1/mgmt/tenant/settings?id=missing-tenant", None, "E112201"),
        ("POST", "/v1/mgmt/tenant/settings", {"selfProvisioningDomains": []}, "E011002"),
        ("POST", "/v1/mgmt/tenant/search", {"tenantIds": "x"}, "E011003"),
    ],
)
def test_bad_requests_get_descope_errors(
    server: LiveServer, method: str, path: str, body: dict[str, Any] | None, code: str
) -> None:
    response = mgmt_request(server, method, path, body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errorCode"] == code


@pytest.mark.parametrize(
    "settings",
    [
        {"refreshTokenExpirationUnit": "fortnights"},
        {"authType": "kerberos"},
        {"sessionTokenExpiration": -1},
        {"domains": ["bad_domain"]},
        {"enabled": "maybe"},
        {"ssoSetupSuiteSettings": {"enabled": "sometimes"}},
    ],
)
def test_invalid_settings_are_refused_and_change_nothing(server: LiveServer, settings: dict[str, Any]) -> None:
    tenants = server.client(management=True).mgmt.tenant
    tenant_id = tenants.create(tag("Strict"))["id"]
    before = tenants.load_settings(tenant_id)
    response = mgmt_request(server, "POST", "/v1/mgmt/tenant/settings", {"tenantId": tenant_id, **settings})
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] in {"E011003", "E011004"}
    assert tenants.load_settings(tenant_id) == before
