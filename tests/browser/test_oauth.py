"""Social login in a real browser through ``@descope/web-js-sdk``: ``oauth.start`` from the
app's page → the issuer's login page (Node's oidc-provider on loopback) → passgate's
callback → back on the app's page with a code → ``oauth.exchange``."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from descope.management.sso_settings import AttributeMapping, SSOOIDCSettings, SSOSAMLSettings

from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage, SdkPage, api_url
from tests.oauth.github import GitHubUser, fake_github
from tests.oauth.issuers import Issuer, oidc_issuer
from tests.oauth.saml_idp import saml_idp, self_signed
from tests.support import LiveServer, free_port, unique_email


@pytest.fixture(scope="module")
def issuer(passgate: LiveServer) -> Iterator[Issuer]:
    with oidc_issuer([f"{api_url(passgate)}/v1/oauth/callback"]) as running:
        yield running


@pytest.fixture(scope="module")
def project(new_project: NewProject, issuer: Issuer) -> LiveServer:
    return new_project(oauth_providers={"loopback": issuer.provider_setting()})


def log_in_at_the_issuer(page: SdkPage, url: str, login: str) -> None:
    """The user's part: the issuer's login page, filled in and sent."""
    page.visit(url)
    page.page.fill('input[name="login"]', login)
    page.page.fill('input[name="password"]', "any password")
    page.page.click('button[type="submit"]')


def test_social_login_from_the_page_to_the_issuer_and_back(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    back_here = page.page.url
    email = unique_email("browser-social")
    started = page.call("oauth.start", "loopback", back_here).expect_ok()

    log_in_at_the_issuer(page, started["url"], email)
    page.page.wait_for_url(lambda url: "code=" in url)  # passgate sent the browser back to the app
    assert page.page.url.startswith(back_here)
    code = parse_qs(urlsplit(page.page.url).query)["code"][0]

    signed_in = page.call("oauth.exchange", code).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert signed_in["user"]["OAuth"] == {"loopback": True}
    assert page.storage()["DS"] == signed_in["sessionJwt"]
    assert page.call("me").expect_ok()["loginIds"] == [email]
    assert not page.call("oauth.exchange", code).ok  # a code works once


def test_a_returned_url_opened_in_another_browser_signs_no_one_in(
    open_page: OpenPage, project: LiveServer, issuer: Issuer
) -> None:
    """The binding cookie: the page that started holds it, a browser without it is refused."""
    page = open_page(project)
    started = page.call("oauth.start", "loopback", page.page.url).expect_ok()
    page.visit(started["url"])
    # The login form sent from this browser's context (its cookies), the issuer's redirects
    # taken one at a time, to stop at the URL it sends the browser back to passgate with.
    form = page.page.locator("form")
    action = urljoin(page.page.url, form.get_attribute("action") or "")
    hop = page.page.request.post(action, form={"login": unique_email("stolen"), "password": "x"}, max_redirects=0)
    callback = f"{api_url(project)}/v1/oauth/callback"
    for _ in range(5):
        location = urljoin(hop.url, hop.headers["location"])
        if location.startswith(callback):
            break
        hop = page.page.request.get(location, max_redirects=0)
    assert location.startswith(callback)

    browser = page.page.context.browser
    assert browser is not None
    stranger = browser.new_context()
    try:
        tab = stranger.new_page()
        tab.goto(location)
        assert "err=E063003" in tab.url
        assert "code=" not in tab.url
    finally:
        stranger.close()


def test_tenant_sso_from_the_page_through_the_saml_paths(
    open_page: OpenPage, project: LiveServer, issuer: Issuer
) -> None:
    """The browser SDK's ``sso.start``/``sso.exchange`` (its ``/v1/auth/saml/*`` paths) with
    a tenant whose IdP is the loopback issuer over OIDC."""
    mgmt = project.client(management=True).mgmt
    domain = "browser-sso.example.com"
    tenant_id = mgmt.tenant.create("Browser SSO")["id"]
    metadata = httpx.get(f"{issuer.url}/.well-known/openid-configuration").json()
    settings = SSOOIDCSettings(
        name="Loopback",
        client_id=issuer.client_id,
        client_secret=issuer.client_secret,
        issuer=issuer.url,
        auth_url=metadata["authorization_endpoint"],
        token_url=metadata["token_endpoint"],
        jwks_url=metadata["jwks_uri"],
    )
    mgmt.sso.configure_oidc_settings(tenant_id, settings, domains=[domain])

    page = open_page(project)
    back_here = page.page.url
    email = f"{unique_email('sso').split('@')[0]}@{domain}"
    started = page.call("sso.start", email, back_here).expect_ok()
    log_in_at_the_issuer(page, started["url"], email)
    page.page.wait_for_url(lambda url: "code=" in url)
    code = parse_qs(urlsplit(page.page.url).query)["code"][0]
    signed_in = page.call("sso.exchange", code).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert signed_in["user"]["SAML"] is True
    assert [t["tenantId"] for t in signed_in["user"]["userTenants"]] == [tenant_id]


def test_tenant_saml_sso_from_the_page(
    open_page: OpenPage, project: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The browser SDK's ``sso.start`` for a SAML tenant: the IdP's login page (pysaml2 on
    loopback), its auto-posting form to passgate's ACS, back on the page with a code."""
    folder = tmp_path_factory.mktemp("browser-saml")
    mgmt = project.client(management=True).mgmt
    domain = "browser-saml.example.com"
    tenant_id = mgmt.tenant.create("Browser SAML")["id"]
    port = free_port()
    certificate = self_signed(folder, "idp")
    settings = SSOSAMLSettings(
        idp_url=f"http://127.0.0.1:{port}/sso/redirect",
        idp_entity_id=f"http://127.0.0.1:{port}/metadata",
        idp_cert=certificate.pem_body,
        attribute_mapping=AttributeMapping(email="mail"),
    )
    mgmt.sso.configure_saml_settings(tenant_id, settings, domains=[domain])
    # The SP as the page's SDK reaches passgate (its entity ID and ACS live under that URL).
    metadata = httpx.get(f"{api_url(project)}/v1/auth/saml/metadata/{project.project_id}/{tenant_id}").text
    with saml_idp(folder, metadata, port=port):
        page = open_page(project)
        back_here = page.page.url
        email = f"{unique_email('saml').split('@')[0]}@{domain}"
        started = page.call("sso.start", email, back_here).expect_ok()
        log_in_at_the_issuer(page, started["url"], email)  # the IdP's form, then its auto-post
        page.page.wait_for_url(lambda url: "code=" in url)
        code = parse_qs(urlsplit(page.page.url).query)["code"][0]
        signed_in = page.call("sso.exchange", code).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert [t["tenantId"] for t in signed_in["user"]["userTenants"]] == [tenant_id]


def test_github_from_the_page(open_page: OpenPage, new_project: NewProject) -> None:
    """The non-OIDC path in the browser: the loopback GitHub (signed in and consenting)
    sends the browser back to passgate, which reads the user from its API."""
    with fake_github() as github:
        project = new_project(oauth_providers={"github": github.provider_setting()})
        email = unique_email("browser-github")
        github.signed_in = GitHubUser(id=424242, login="octo-browser", email=email)
        page = open_page(project)
        back_here = page.page.url
        started = page.call("oauth.start", "github", back_here).expect_ok()
        page.visit(started["url"])
        page.page.wait_for_url(lambda url: "code=" in url)
        code = parse_qs(urlsplit(page.page.url).query)["code"][0]
        signed_in = page.call("oauth.exchange", code).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert signed_in["user"]["OAuth"] == {"github": True}
