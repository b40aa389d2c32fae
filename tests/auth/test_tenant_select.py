"""Selecting a tenant for the session and listing the user's tenants (contract §2.6)."""

from __future__ import annotations

import pytest
from descope import AuthException

from tests.support import LiveServer, error_code, signed_in, unique_email


def new_tenant(server: LiveServer, **attributes: str) -> str:
    client = server.client(management=True)
    return str(client.mgmt.tenant.create(f"Tenant {unique_email('t')}", custom_attributes=attributes or None)["id"])


def member_session(server: LiveServer, *tenant_ids: str) -> str:
    """A signed-in user's refresh JWT, the user belonging to ``tenant_ids``."""
    login_id = unique_email("member")
    refresh = str(signed_in(server, login_id)["refreshSessionToken"]["jwt"])
    for tenant_id in tenant_ids:
        server.client(management=True).mgmt.user.add_tenant(login_id, tenant_id)
    return refresh


def test_selected_tenant_is_in_both_tokens_and_survives_refresh(server: LiveServer) -> None:
    client = server.client()
    tenant_id = new_tenant(server)
    refresh = member_session(server, tenant_id)
    selected = client.select_tenant(tenant_id, refresh)
    assert selected["sessionToken"]["dct"] == tenant_id
    assert selected["refreshSessionToken"]["dct"] == tenant_id
    assert tenant_id in selected["tenants"]
    new_refresh = selected["refreshSessionToken"]["jwt"]
    assert new_refresh != refresh  # rotated: a new generation of the same session
    assert selected["refreshSessionToken"]["sid"] == client.validate_session(refresh)["sid"]

    refreshed = client.refresh_session(new_refresh)
    assert refreshed["sessionToken"]["dct"] == tenant_id
    assert refreshed["refreshSessionToken"]["dct"] == tenant_id

    # Two generations on, the original token is a copy: presenting it revokes the session.
    with pytest.raises(AuthException) as reused:
        client.refresh_session(refresh)
    assert error_code(reused.value) == "E064001"
    with pytest.raises(AuthException):
        client.refresh_session(refreshed["refreshSessionToken"]["jwt"])


def test_selecting_a_tenant_the_user_is_not_in_fails(server: LiveServer) -> None:
    client = server.client()
    refresh = member_session(server, new_tenant(server))
    with pytest.raises(AuthException) as refused:
        client.select_tenant(new_tenant(server), refresh)
    assert error_code(refused.value) == "E112305"
    with pytest.raises(AuthException) as unknown:
        client.select_tenant("T2-no-such-tenant", refresh)
    assert error_code(unknown.value) == "E112305"


def test_my_tenants_by_selection_and_by_ids(server: LiveServer) -> None:
    client = server.client()
    first, second, foreign = new_tenant(server, plan="gold"), new_tenant(server), new_tenant(server)
    refresh = member_session(server, first, second)

    assert client.my_tenants(refresh, dct=True) == {"tenants": []}  # nothing selected yet
    selected = client.select_tenant(first, refresh)["refreshSessionToken"]["jwt"]
    by_selection = client.my_tenants(selected, dct=True)["tenants"]
    assert [(t["id"], t["customAttributes"]) for t in by_selection] == [(first, {"plan": "gold"})]
    assert by_selection[0]["name"].startswith("Tenant ")

    by_ids = client.my_tenants(selected, ids=[second, foreign, first])["tenants"]
    assert sorted(t["id"] for t in by_ids) == sorted([first, second])


def test_a_disabled_tenant_cannot_be_selected(server: LiveServer) -> None:
    client, admin = server.client(), server.client(management=True)
    name = f"Tenant {unique_email('off')}"
    tenant_id = str(admin.mgmt.tenant.create(name)["id"])
    refresh = member_session(server, tenant_id)
    admin.mgmt.tenant.update(tenant_id, name, disabled=True)
    with pytest.raises(AuthException) as refused:
        client.select_tenant(tenant_id, refresh)
    assert error_code(refused.value) == "E112305"
    admin.mgmt.tenant.update(tenant_id, name, disabled=False)
    assert client.select_tenant(tenant_id, refresh)["sessionToken"]["dct"] == tenant_id
