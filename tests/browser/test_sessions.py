"""A session's life in a real browser: @descope/web-js-sdk on another origin than passgate.

Sign up or in by OTP, ``me``, refresh, a reload that keeps the stored session, autoRefresh
renewing a session about to expire, and logout, after which the old refresh JWT is refused.
The page runs at ``http://localhost:<port>``, which a project allows out of the box.
"""

from __future__ import annotations

import pytest

from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage, posts_to
from tests.support import LiveServer, unique_email

SESSION_TTL = 60  # the shortest a project allows
REFRESH_MARGIN = 20  # the SDK refreshes this many seconds before the session expires


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    return new_project(session_ttl_seconds=SESSION_TTL)


def test_otp_sign_in_then_me_and_refresh(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    email = unique_email("browser")
    signed_in = page.sign_in(email)
    assert signed_in["user"]["loginIds"] == [email]
    stored = page.storage()
    assert stored["DS"] == signed_in["sessionJwt"]
    assert stored["DSR"] == signed_in["refreshJwt"]

    me = page.call("me").expect_ok()
    assert me["loginIds"] == [email]
    assert me["userId"] == signed_in["user"]["userId"]

    refreshed = page.call("refresh").expect_ok()
    assert refreshed["sessionJwt"] != signed_in["sessionJwt"]
    assert page.storage()["DSR"] == refreshed["refreshJwt"] != signed_in["refreshJwt"]


def test_reload_keeps_the_persisted_session(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    email = unique_email("reload")
    page.sign_in(email)

    page.page.reload()  # a new SDK instance, with only what the origin stored
    assert {"DS", "DSR", "DSLI"} <= set(page.storage())
    # What an app does on load (React's AuthProvider does it): refresh if a session is stored.
    with page.page.expect_request(posts_to(project, "/v1/auth/try-refresh")):
        resumed = page.call("refresh", None, True).expect_ok()
    assert resumed["user"]["loginIds"] == [email]
    assert page.storage()["DS"] == resumed["sessionJwt"]
    assert page.call("me").expect_ok()["loginIds"] == [email]


def test_auto_refresh_renews_a_session_about_to_expire(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    # The SDK refreshes 20 s before the session expires, and sets no timer at all unless that
    # is more than 20 s away. A session signed 18 s ago has 42 s of its 60 left: the timer is
    # set for 22 s from now, the shortest wait there is.
    age = SESSION_TTL - 2 * REFRESH_MARGIN - 2
    project.clock.advance(-age)
    try:
        signed_in = page.sign_in(unique_email("auto"))
    finally:
        project.clock.advance(age)

    with page.page.expect_request(posts_to(project, "/v1/auth/refresh"), timeout=40_000) as sent:
        pass  # nothing but the SDK's own timer sends it
    response = sent.value.response()
    assert response is not None
    assert response.status == 200
    renewed = response.json()
    assert renewed["sessionExpiration"] - project.clock.now() > SESSION_TTL - 5
    page.page.wait_for_function("(jwt) => localStorage.DS === jwt", arg=renewed["sessionJwt"])
    assert renewed["sessionJwt"] != signed_in["sessionJwt"]


def test_logout_then_the_old_refresh_jwt_is_refused(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    signed_in = page.sign_in(unique_email("logout"))

    page.call("logout").expect_ok()
    assert not {"DS", "DSR", "DSLI"} & set(page.storage())

    refused = page.call("refresh", signed_in["refreshJwt"])
    assert (refused.ok, refused.code) == (False, 401), refused
    assert refused.error["errorCode"].startswith("E"), refused
    assert page.call("me").code == 401  # nothing stored: no session to ask about
