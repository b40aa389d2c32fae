"""Cookie mode: DS/DSR cookies with safe attributes, the SDK still works, CSRF refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from descope import DeliveryMethod

from tests.support import LiveServer, database_url, live_server, relaxed, unique_email


@pytest.fixture
def cookie_mode(tmp_path: Path) -> Iterator[LiveServer]:
    settings = relaxed(token_delivery="cookies", approved_redirect_urls=("http://localhost", "https://app.example.com"))
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        yield live


def _verify(live: LiveServer) -> httpx.Response:
    login_id = unique_email()
    headers = {"Authorization": f"Bearer {live.project_id}"}
    httpx.post(f"{live.base_url}/v1/auth/otp/signup-in/email", json={"loginId": login_id}, headers=headers)
    body = {"loginId": login_id, "code": live.inbox.code_for(login_id)}
    return httpx.post(f"{live.base_url}/v1/auth/otp/verify/email", json=body, headers=headers)


def test_tokens_arrive_as_safe_cookies(cookie_mode: LiveServer) -> None:
    response = _verify(cookie_mode)
    assert response.json()["refreshJwt"] == ""  # only in the cookie
    assert response.json()["sessionJwt"]  # the SDKs read the session JWT from the body only
    cookies = {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}
    for name in ("DS", "DSR"):
        attributes = cookies[name].lower()
        assert "httponly" in attributes
        assert "secure" in attributes
        assert "samesite=strict" in attributes
    assert "path=/v1/auth" in cookies["DSR"].lower()


def test_sdk_reads_the_refresh_cookie(cookie_mode: LiveServer) -> None:
    client = cookie_mode.client()
    login_id = unique_email("sdk")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, cookie_mode.inbox.code_for(login_id))
    refresh = session["refreshSessionToken"]["jwt"]  # taken from the DSR Set-Cookie
    assert client.validate_session(session["sessionToken"]["jwt"])["userId"] == session["user"]["userId"]
    assert client.refresh_session(refresh)["sessionToken"]["drn"] == "DS"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),
        ({"Origin": "https://app.example.com", "Sec-Fetch-Site": "same-site"}, 200),
        ({"Origin": "https://evil.example"}, 401),
        ({"Sec-Fetch-Site": "cross-site"}, 401),
        ({"Origin": "null"}, 401),
    ],
)
def test_cookie_authenticated_posts_are_checked_for_csrf(
    cookie_mode: LiveServer, headers: dict[str, str], status: int
) -> None:
    refresh_cookie = _verify(cookie_mode).cookies["DSR"]
    response = httpx.post(
        f"{cookie_mode.base_url}/v1/auth/refresh",
        headers={"Authorization": f"Bearer {cookie_mode.project_id}", "Cookie": f"DSR={refresh_cookie}", **headers},
    )
    assert response.status_code == status, response.text
