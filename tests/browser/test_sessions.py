"""A session's life in a real browser: @descope/web-js-sdk on another origin than passgate.

Sign up or in by OTP, ``me``, refresh, a reload that keeps the stored session, autoRefresh
renewing a session about to expire, and logout after which the old refresh JWT is refused.
"""

from __future__ import annotations

import pytest

from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage
from tests.support import LiveServer, unique_email


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    return new_project()


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
