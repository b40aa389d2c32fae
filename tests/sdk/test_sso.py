"""Tenant SSO over OpenID Connect with the official ``descope`` SDK: ``mgmt.sso`` configures
a tenant's identity provider (Node's oidc-provider on loopback), ``sso.start`` finds the
tenant by ID, email domain or name, the user signs in at the IdP, and ``sso.exchange_token``
gives a session in the tenant (``amr`` ``fed``, ``dct`` the tenant), the user created in it
with the roles its groups map to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from descope import AuthException
from descope.management.sso_settings import AttributeMapping, RoleMapping, SSOOIDCSettings

from tests.oauth.flows import app_code, app_error, auth_post, callback_of
from tests.oauth.issuers import Issuer, log_in, oidc_issuer
from tests.support import DEFAULT_REDIRECT, LiveServer, error_code, signed_in, stored_rows, tag


@pytest.fixture(scope="module")
def idp(server: LiveServer) -> Iterator[Issuer]:
    with oidc_issuer([callback_of(server)]) as running:
        yield running


def discovered(issuer: Issuer) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{issuer.url}/.well-known/openid-configuration").json()
    return answer


def sso_tenant(server: LiveServer, idp: Issuer, *, domain: str, jit: bool = True) -> str:
    """A new tenant whose SSO is ``idp`` for users at ``domain``, ``admins`` mapped to its
    role ``tenant-admin``."""
    mgmt = server.client(management=True).mgmt
    tenant_id: str = mgmt.tenant.create(tag("Acme"))["id"]
    mgmt.role.create("tenant-admin", tenant_id=tenant_id)
    metadata = discovered(idp)
    settings = SSOOIDCSettings(
        name="Acme IdP",
        client_id=idp.client_id,
        client_secret=idp.client_secret,
        auth_url=metadata["authorization_endpoint"],
        token_url=metadata["token_endpoint"],
        jwks_url=metadata["jwks_uri"],
        issuer=idp.url,
        scope=["openid", "email", "profile", "groups"],
    )
    mgmt.sso.configure_oidc_settings(tenant_id, settings, domains=[domain])
    mgmt.sso.mapping(tenant_id, [RoleMapping(["admins"], "tenant-admin")], AttributeMapping())
    if not jit:
        mgmt.tenant.update_settings(tenant_id, self_provisioning_domains=[], domains=[domain], JITDisabled=True)
    return tenant_id


def through_idp(server: LiveServer, tenant: str, login: str) -> httpx.Response:
    started = server.client().sso.start(tenant, DEFAULT_REDIRECT)
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, started["url"], login, until=callback_of(server))
        return browser.get(back)


def test_a_tenants_users_sign_in_through_its_oidc_identity_provider(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('acme')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    email = f"alice@{domain}"
    client = server.client()
    code = app_code(through_idp(server, email, f"{email};groups=admins,devs"))  # found by the email's domain
    session = client.sso.exchange_token(code)
    claims = client.validate_session(session["sessionToken"]["jwt"])
    assert claims["amr"] == ["fed"]
    assert claims["dct"] == tenant_id
    assert claims["tenants"][tenant_id]["roles"] == ["tenant-admin"]
    assert session["firstSeen"] is True
    user = session["user"]
    assert user["loginIds"] == [email]
    assert user["SAML"] is True
    assert [t["tenantId"] for t in user["userTenants"]] == [tenant_id]

    again = client.sso.exchange_token(app_code(through_idp(server, tenant_id, email)))  # by ID; no groups now
    assert again["user"]["userId"] == user["userId"]
    assert again["firstSeen"] is False
    assert client.validate_session(again["sessionToken"]["jwt"])["tenants"][tenant_id]["roles"] == []


def test_the_saml_path_of_the_browser_sdk_starts_the_same_sign_in(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('saml-path')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    started = auth_post(
        server, "/v1/auth/saml/authorize", params={"tenant": tenant_id, "redirectURL": DEFAULT_REDIRECT}
    )
    assert started.status_code == 200, started.text
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, started.json()["url"], f"bob@{domain}", until=callback_of(server))
        code = app_code(browser.get(back))
    exchanged = auth_post(server, "/v1/auth/saml/exchange", body={"code": code})
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.json()["user"]["loginIds"] == [f"bob@{domain}"]


def test_an_existing_user_of_the_domain_is_linked_and_joins_the_tenant(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('link')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    email = f"carol@{domain}"
    existing = signed_in(server, email)
    session = server.client().sso.exchange_token(app_code(through_idp(server, email, email)))
    assert session["user"]["userId"] == existing["user"]["userId"]
    assert [t["tenantId"] for t in session["user"]["userTenants"]] == [tenant_id]


def test_with_jit_off_an_unknown_user_is_refused_and_nothing_is_created(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('nojit')}.example.com".lower()
    sso_tenant(server, idp, domain=domain, jit=False)
    email = f"dave@{domain}"
    assert app_error(through_idp(server, email, email)) == "E062108"
    assert stored_rows(server, "SELECT user_id FROM login_ids WHERE login_id = :l", {"l": email}) == []


def test_an_unknown_tenant_is_refused(server: LiveServer, idp: Issuer) -> None:
    with pytest.raises(AuthException) as refused:
        server.client().sso.start("nobody@no-such-domain.example.com", DEFAULT_REDIRECT)
    assert error_code(refused.value) == "E112201"
    assert refused.value.status_code == 404


def test_load_settings_answers_what_was_configured_without_the_secret(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('load')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    loaded = server.client(management=True).mgmt.sso.load_settings(tenant_id)
    assert loaded["tenant"]["id"] == tenant_id
    assert loaded["tenant"]["authType"] == "oidc"
    assert loaded["tenant"]["domains"] == [domain]
    assert loaded["oidc"]["clientId"] == idp.client_id
    assert loaded["oidc"]["issuer"] == idp.url
    assert loaded["oidc"]["clientSecret"] == "(sealed)"
    assert loaded["saml"]["groupsMapping"] == [{"groups": ["admins"], "role": {"name": "tenant-admin"}}]
    stored = stored_rows(server, "SELECT settings FROM sso_configurations WHERE tenant_id = :t", {"t": tenant_id})
    assert idp.client_secret not in stored[0]["settings"]

    server.client(management=True).mgmt.sso.delete_settings(tenant_id)
    assert server.client(management=True).mgmt.sso.load_settings(tenant_id)["tenant"]["authType"] == "none"


def test_a_tenant_that_enforces_sso_refuses_its_members_other_methods(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('enforced')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    member, excluded = f"erin@{domain}", f"frank@{domain}"
    for email in (member, excluded):
        server.client().sso.exchange_token(app_code(through_idp(server, email, email)))
    mgmt = server.client(management=True).mgmt
    mgmt.tenant.update_settings(
        tenant_id, self_provisioning_domains=[], domains=[domain], enforce_sso=True, enforce_sso_exclusions=[excluded]
    )
    with pytest.raises(AuthException) as refused:
        signed_in(server, member)  # an emailed code: not SSO
    assert error_code(refused.value) == "E063006"
    assert refused.value.status_code == 403
    assert signed_in(server, excluded)["user"]["loginIds"] == [excluded]
    assert server.client().sso.exchange_token(app_code(through_idp(server, member, member)))["user"]["loginIds"] == [
        member
    ]


def test_the_tenant_is_found_by_the_login_hints_email_domain(server: LiveServer, idp: Issuer) -> None:
    domain = f"{tag('hint')}.example.com".lower()
    tenant_id = sso_tenant(server, idp, domain=domain)
    email = f"gina@{domain}"
    started = auth_post(server, "/v1/auth/sso/authorize", params={"loginHint": email, "redirectURL": DEFAULT_REDIRECT})
    assert started.status_code == 200, started.text
    assert "login_hint=gina%40" in started.json()["url"]  # passed on to the IdP
    with httpx.Client(timeout=30) as browser:
        code = app_code(browser.get(log_in(browser, started.json()["url"], email, until=callback_of(server))))
    session = server.client().sso.exchange_token(code)
    assert server.client().validate_session(session["sessionToken"]["jwt"])["dct"] == tenant_id
