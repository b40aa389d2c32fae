"""Cookie mode in a real browser: the refresh JWT lives only in an HttpOnly ``DSR`` cookie
that scripts cannot read, and travels by itself from the page (``localhost``, another port:
same site) to passgate's session routes."""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage, api_url
from tests.support import unique_email


def test_cookie_mode_refreshes_with_a_cookie_scripts_cannot_read(
    open_page: OpenPage, new_project: NewProject, context: BrowserContext
) -> None:
    project = new_project(token_delivery="cookies")
    page = open_page(project)
    email = unique_email("cookies")
    signed_in = page.sign_in(email)
    assert not signed_in["refreshJwt"]
    assert "DSR" not in page.storage()

    cookies = {cookie["name"]: cookie for cookie in context.cookies(api_url(project) + "/v1/auth/refresh")}
    assert cookies["DSR"]["httpOnly"]
    assert "DSR" not in page.page.evaluate("document.cookie")  # same host, other port: still unreadable

    refreshed = page.call("refresh").expect_ok()  # the bearer names only the project: the cookie signs in
    assert refreshed["sessionJwt"] != signed_in["sessionJwt"]
    assert page.call("me").expect_ok()["loginIds"] == [email]

    page.call("logout").expect_ok()
    assert page.call("refresh").code == 401
