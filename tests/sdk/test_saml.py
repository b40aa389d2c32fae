"""Tenant SSO over SAML 2.0 with the official ``descope`` SDK against a pysaml2 IdP on
loopback: ``mgmt.sso.configure_saml_settings``, the SP metadata passgate serves, an
SP-initiated sign-in (AuthnRequest by redirect, signed assertion posted to the ACS), and the
refusals the SP owes: an unsigned, tampered, expired, replayed or unsolicited assertion."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from descope.management.sso_settings import AttributeMapping, RoleMapping, SSOSAMLSettings

from tests.oauth.flows import app_code, app_error
from tests.oauth.saml_idp import SamlIdP, posted_form, saml_idp, self_signed
from tests.support import DEFAULT_REDIRECT, LiveServer, audit_search, free_port, stored_rows, tag


@dataclass(frozen=True)
class SamlTenant:
    tenant_id: str
    domain: str
    idp: SamlIdP


@contextmanager
def configured(server: LiveServer, folder: Path, **idp_options: object) -> Iterator[SamlTenant]:
    """A tenant whose SSO is a new pysaml2 IdP (``idp_options`` make it misbehave)."""
    mgmt = server.client(management=True).mgmt
    domain = f"{tag('saml')}.example.com".lower()
    tenant_id: str = mgmt.tenant.create(tag("SAML tenant"))["id"]
    mgmt.role.create("tenant-admin", tenant_id=tenant_id)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    certificate = self_signed(folder, "idp")
    settings = SSOSAMLSettings(
        idp_url=f"{url}/sso/redirect",
        idp_entity_id=f"{url}/metadata",
        idp_cert=certificate.pem_body,
        attribute_mapping=AttributeMapping(email="mail", group="groups", given_name="givenName", family_name="sn"),
        role_mappings=[RoleMapping(["admins"], "tenant-admin")],
    )
    mgmt.sso.configure_saml_settings(tenant_id, settings, domains=[domain])
    metadata = httpx.get(f"{server.base_url}/v1/auth/saml/metadata/{server.project_id}/{tenant_id}", timeout=30)
    assert metadata.status_code == 200, metadata.text
    assert "AssertionConsumerService" in metadata.text
    with saml_idp(folder, metadata.text, port=port, **idp_options) as idp:  # type: ignore[arg-type]
        yield SamlTenant(tenant_id, domain, idp)


@pytest.fixture(scope="module")
def tenant(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlTenant]:
    with configured(server, tmp_path_factory.mktemp("saml-idp")) as running:
        yield running


def at_idp(server: LiveServer, tenant: SamlTenant, login: str) -> tuple[str, dict[str, str]]:
    """Start with the SDK and sign in at the IdP: the ACS URL and the form the browser posts."""
    started = server.client().sso.start(f"someone@{tenant.domain}", DEFAULT_REDIRECT)
    assert started["url"].startswith(tenant.idp.sso_url + "?SAMLRequest=")
    with httpx.Client(timeout=30) as browser:
        page = browser.get(started["url"]).text
        key = page.split('name="key" value="')[1].split('"')[0]
        answer = browser.post(f"{tenant.idp.url}/sso/login", data={"key": key, "login": login, "password": "x"})
    return posted_form(answer.text)


def posted(acs: str, fields: dict[str, str]) -> httpx.Response:
    return httpx.post(acs, data=fields, timeout=30)


def refusal_reason(server: LiveServer) -> str:
    events = [e for e in audit_search(server, actions=["oauth.callback"]) if e["data"].get("outcome") == "failure"]
    return str(events[0]["data"]["reason"]) if events else ""


def test_a_saml_tenants_users_sign_in_with_a_signed_assertion(server: LiveServer, tenant: SamlTenant) -> None:
    email = f"alice@{tenant.domain}"
    acs, fields = at_idp(server, tenant, f"{email};groups=admins")
    assert acs == f"{server.base_url}/v1/oauth/callback/saml/{server.project_id}/{tenant.tenant_id}"
    client = server.client()
    answer = posted(acs, fields)
    assert "code=" in answer.headers.get("location", ""), refusal_reason(server)
    session = client.sso.exchange_token(app_code(answer))
    claims = client.validate_session(session["sessionToken"]["jwt"])
    assert claims["amr"] == ["fed"]
    assert claims["dct"] == tenant.tenant_id
    assert claims["tenants"][tenant.tenant_id]["roles"] == ["tenant-admin"]
    assert session["user"]["loginIds"] == [email]
    assert session["user"]["givenName"] == "Given"
    assert session["user"]["SAML"] is True
    loaded = server.client(management=True).mgmt.sso.load_settings(tenant.tenant_id)
    assert loaded["tenant"]["authType"] == "saml"
    assert loaded["saml"]["idpEntityId"] == tenant.idp.entity_id
    assert loaded["saml"]["spACSUrl"] == acs


def test_a_replayed_assertion_is_refused(server: LiveServer, tenant: SamlTenant) -> None:
    acs, fields = at_idp(server, tenant, f"replay@{tenant.domain}")
    assert app_code(posted(acs, fields))
    assert app_error(posted(acs, fields)) == "E063003"
    assert "already used (a replay)" in refusal_reason(server)


def test_a_tampered_assertion_is_refused_and_creates_nothing(server: LiveServer, tenant: SamlTenant) -> None:
    honest, forged = f"honest@{tenant.domain}", f"forged@{tenant.domain}"
    acs, fields = at_idp(server, tenant, honest)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    fields["SAMLResponse"] = base64.b64encode(xml.replace(honest, forged).encode()).decode()
    assert app_error(posted(acs, fields)) == "E063003"
    assert "does not verify" in refusal_reason(server)
    assert stored_rows(server, "SELECT user_id FROM login_ids WHERE login_id = :l", {"l": forged}) == []


def test_an_assertion_answering_another_request_is_refused(server: LiveServer, tenant: SamlTenant) -> None:
    acs, first = at_idp(server, tenant, f"first@{tenant.domain}")
    _, second = at_idp(server, tenant, f"second@{tenant.domain}")
    swapped = {"SAMLResponse": first["SAMLResponse"], "RelayState": second["RelayState"]}
    assert app_error(posted(acs, swapped)) == "E063003"
    assert "does not verify" in refusal_reason(server)


def test_an_unsigned_assertion_is_refused(server: LiveServer, tmp_path: Path) -> None:
    with configured(server, tmp_path, sign_assertion=False) as unsigned:
        acs, fields = at_idp(server, unsigned, f"nosig@{unsigned.domain}")
        assert app_error(posted(acs, fields)) == "E063003"
        assert "not signed" in refusal_reason(server).lower() or "signature" in refusal_reason(server).lower()
        email = f"nosig@{unsigned.domain}"
        assert stored_rows(server, "SELECT user_id FROM login_ids WHERE login_id = :l", {"l": email}) == []


def test_an_expired_assertion_is_refused(server: LiveServer, tmp_path: Path) -> None:
    with configured(server, tmp_path, lifetime_minutes=-30) as expired:
        acs, fields = at_idp(server, expired, f"late@{expired.domain}")
        assert app_error(posted(acs, fields)) == "E063003"
        assert "expired" in refusal_reason(server).lower() or "notonorafter" in refusal_reason(server).lower()


def test_a_sha1_signature_is_refused(server: LiveServer, tmp_path: Path) -> None:
    with configured(server, tmp_path, sha1=True) as weak:
        acs, fields = at_idp(server, weak, f"sha1@{weak.domain}")
        assert app_error(posted(acs, fields)) == "E063003"
        assert "Deprecated signature algorithm" in refusal_reason(server)
