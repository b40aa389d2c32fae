"""Cookie mode: DS/DSR cookies with safe attributes, the SDK still works, CSRF refused;
a page on another origin signs in, refreshes and logs out with them (issue #14)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from descope import DeliveryMethod

from tests.support import LiveServer, database_url, live_server, mgmt_request, relaxed, unique_email
from tests.web.browser import cors_of, credentialed_for, page_call


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
        # One origin rule with redirects and CORS: an approved http://localhost allows any port.
        ({"Origin": "http://localhost:5173"}, 200),
        ({"Origin": "http://localhost:5173", "Sec-Fetch-Site": "same-site"}, 200),
        ({"Origin": "http://127.0.0.1:5173"}, 401),
        ({"Origin": "https://app.example.com:8443"}, 401),
        # An allowed origin decides: a page on another site sharing the session (SameSite=None).
        ({"Origin": "https://app.example.com", "Sec-Fetch-Site": "cross-site"}, 200),
        ({"Origin": "https://evil.example", "Sec-Fetch-Site": "same-site"}, 401),
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


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Each ``Set-Cookie`` of the answer by cookie name, lower-cased."""
    return {header.split("=", 1)[0]: header.lower() for header in response.headers.get_list("set-cookie")}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_page_on_localhost_signs_in_refreshes_and_logs_out_with_the_cookie(backend: str, tmp_path: Path) -> None:
    """The default project (approving ``http://localhost``) in cookie mode, used from a page
    on http://localhost:5173 (before: refresh answered 401 "Request origin not allowed")."""
    page = "http://localhost:5173"
    with (
        database_url(backend, tmp_path) as url,
        live_server(url, tmp_path, project_settings=relaxed(token_delivery="cookies")) as live,
    ):
        login_id = unique_email()
        started = page_call(live, "POST", "/v1/auth/otp/signup-in/email", page, body={"loginId": login_id})
        body = {"loginId": login_id, "code": live.inbox.code_for(login_id)}
        verified = page_call(live, "POST", "/v1/auth/otp/verify/email", page, body=body)
        assert (started.status_code, verified.status_code) == (200, 200), verified.text
        assert cors_of(verified) == credentialed_for(page)
        assert verified.json()["refreshJwt"] == ""
        cookie = verified.cookies["DSR"]

        refreshed = page_call(live, "POST", "/v1/auth/refresh?dcs=t&dcr=f", page, Cookie=f"DSR={cookie}")
        assert refreshed.status_code == 200, refreshed.text
        assert cors_of(refreshed) == credentialed_for(page)
        cookie = refreshed.cookies["DSR"]  # rotated
        me = page_call(live, "GET", "/v1/auth/me", page, Cookie=f"DSR={cookie}")
        assert me.json()["loginIds"] == [login_id]

        logout = page_call(live, "POST", "/v1/auth/logout", page, Cookie=f"DSR={cookie}")
        assert logout.status_code == 200
        cleared = _cookies(logout)
        assert cleared["DSR"].startswith('dsr=""') or cleared["DSR"].startswith("dsr=;")
        assert "max-age=0" in cleared["DSR"]
        assert "path=/v1/auth" in cleared["DSR"]
        assert "max-age=0" in cleared["DS"]
        after = page_call(live, "POST", "/v1/auth/refresh", page, Cookie=f"DSR={cookie}")
        assert after.status_code == 401
        assert cors_of(after) == credentialed_for(page)  # the SDK reads it, and signs the user out
        tried = page_call(live, "POST", "/v1/auth/try-refresh", page, Cookie=f"DSR={cookie}")
        assert (tried.status_code, tried.json()) == (200, {})

        # Signing in again with the revoked cookie still attached (the browser sends it).
        stale = {"Cookie": f"DSR={cookie}"}
        page_call(live, "POST", "/v1/auth/otp/signup-in/email", page, body={"loginId": login_id}, **stale)
        body = {"loginId": login_id, "code": live.inbox.code_for(login_id, after=1)}  # the second code
        again = page_call(live, "POST", "/v1/auth/otp/verify/email", page, body=body, **stale)
        assert again.status_code == 200, again.text
        assert again.cookies["DSR"] != cookie


def test_allowed_origins_also_judge_the_cookie(tmp_path: Path) -> None:
    settings = relaxed(token_delivery="cookies", allowed_origins=("https://only.example",))
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        cookie = _verify(live).cookies["DSR"]
        refused = page_call(live, "POST", "/v1/auth/refresh", "http://localhost:5173", Cookie=f"DSR={cookie}")
        allowed = page_call(live, "POST", "/v1/auth/refresh", "https://only.example", Cookie=f"DSR={cookie}")
    assert refused.status_code == 401
    assert refused.json()["errorMessage"] == "Request origin not allowed"
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize(
    ("patch", "expected", "absent"),
    [
        ({}, {"samesite=strict", "secure", "httponly"}, {"domain="}),
        ({"cookie_same_site": "lax"}, {"samesite=lax", "secure"}, {"domain="}),
        ({"cookie_same_site": "none"}, {"samesite=none", "secure", "httponly"}, {"domain="}),
        ({"cookie_domain": "example.com"}, {"domain=example.com", "samesite=strict", "secure"}, set()),
    ],
)
def test_cookie_attributes_follow_the_settings(
    cookie_mode: LiveServer, patch: dict[str, str], expected: set[str], absent: set[str]
) -> None:
    changed = mgmt_request(cookie_mode, "POST", "/v1/mgmt/project/settings", patch)
    assert changed.status_code == 200, changed.text
    try:
        response = _verify(cookie_mode)
    finally:
        mgmt_request(cookie_mode, "POST", "/v1/mgmt/project/settings", dict.fromkeys(patch))
    for name, attributes in _cookies(response).items():
        assert {part.strip() for part in attributes.split(";")} >= expected, name
        assert not any(flag in attributes for flag in absent), name
    assert response.json()["cookieDomain"] == patch.get("cookie_domain", "")


@pytest.mark.parametrize("domain", ["https://example.com", ".example.com", "example.com/x", "Example.com:443"])
def test_cookie_domain_must_be_a_host_name(cookie_mode: LiveServer, domain: str) -> None:
    answer = mgmt_request(cookie_mode, "POST", "/v1/mgmt/project/settings", {"cookie_domain": domain})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "E011003"
    assert "cookie_domain" in answer.json()["errorMessage"]
