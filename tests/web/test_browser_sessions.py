"""What only the browser SDK relies on (issue #14; research note §2-§6): try-refresh,
validate, the refresh query flags, the fields of a JWT answer, a stale bearer on every
sign-in call, the enchanted-link poll, JSON everywhere, and session upkeep never meeting
the per-IP request limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.support import (
    DEFAULT_REDIRECT,
    LiveServer,
    database_url,
    limited,
    live_server,
    signed_in,
    token_of,
    unique_email,
)
from tests.web.browser import page_call

PAGE = "http://localhost:5173"


def _post(live: LiveServer, path: str, body: Any = None, token: str | None = None) -> httpx.Response:
    return page_call(live, "POST", path, PAGE, body=body, token=token)


def _otp_session(live: LiveServer, login_id: str, token: str | None = None) -> httpx.Response:
    """Sign up or in by OTP as the page does, carrying ``token`` (a stored refresh JWT) on both calls."""
    started = _post(live, "/v1/auth/otp/signup-in/email", {"loginId": login_id, "loginOptions": {}}, token)
    assert started.status_code == 200, started.text
    code = live.inbox.code_for(login_id)
    return _post(live, "/v1/auth/otp/verify/email", {"code": code, "loginId": login_id}, token)


def _refresh_jwt(live: LiveServer) -> str:
    return str(signed_in(live)["refreshSessionToken"]["jwt"])


def _revoked_refresh_jwt(live: LiveServer) -> str:
    token = _refresh_jwt(live)
    assert _post(live, "/v1/auth/logout", token=token).status_code == 200
    return token


# --- try-refresh ------------------------------------------------------------------------------


def test_try_refresh_without_a_session_is_200_and_empty(server: LiveServer) -> None:
    answer = _post(server, "/v1/auth/try-refresh?dcs=f&dcr=f")
    assert answer.status_code == 200
    assert answer.json() == {}


@pytest.mark.parametrize("kind", ["garbage", "revoked", "expired", "foreign"])
def test_try_refresh_with_a_dead_session_is_200_and_empty(server: LiveServer, kind: str, tmp_path: Path) -> None:
    if kind == "garbage":
        token = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"
    elif kind == "revoked":
        token = _revoked_refresh_jwt(server)
    elif kind == "foreign":
        with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path) as other:
            token = _refresh_jwt(other)
    else:
        token = _refresh_jwt(server)
        server.clock.advance(28 * 86400 + 10)
    try:
        answer = _post(server, "/v1/auth/try-refresh?dcs=t&dcr=t", token=token)
    finally:
        if kind == "expired":
            server.clock.advance(-(28 * 86400 + 10))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {}


def test_try_refresh_with_a_live_session_answers_the_jwt_response(server: LiveServer) -> None:
    answer = _post(server, "/v1/auth/try-refresh?dcs=t&dcr=t", token=_refresh_jwt(server))
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) >= {"sessionJwt", "refreshJwt", "sessionExpiration", "claims", "user"}


def test_refresh_accepts_and_ignores_the_query_flags(server: LiveServer) -> None:
    token = _refresh_jwt(server)
    for flags in ("dcs=t&dcr=t", "dcs=f&dcr=t", "dcs=anything"):
        answer = _post(server, f"/v1/auth/refresh?{flags}", token=token)
        assert answer.status_code == 200, answer.text
        token = answer.json()["refreshJwt"]  # rotated


# --- the JWT answer ---------------------------------------------------------------------------


def test_a_jwt_answer_carries_what_the_web_sdk_reads(server: LiveServer) -> None:
    login_id = unique_email()
    before = server.clock.now()
    answer = _otp_session(server, login_id).json()
    session = jwt.decode(answer["sessionJwt"], options={"verify_signature": False})
    assert answer["claims"] == session  # the only source of React's useSession().claims
    assert answer["sessionExpiration"] == session["exp"]  # the SDK's timer trusts it over exp
    assert answer["user"]["userId"] == session["sub"]
    assert answer["user"]["loginIds"] == [login_id]
    assert "name" in answer["user"]
    assert before + 28 * 86400 - 5 <= answer["cookieExpiration"] <= server.clock.now() + 28 * 86400 + 5  # unix seconds
    assert (answer["cookiePath"], answer["cookieDomain"]) == ("/", "")
    assert not {"cookieName", "trustedDeviceJwt", "knownDeviceJwt"} & set(answer)
    refreshed = _post(server, "/v1/auth/refresh", token=answer["refreshJwt"]).json()
    assert refreshed["claims"] == jwt.decode(refreshed["sessionJwt"], options={"verify_signature": False})
    assert refreshed["user"]["userId"] == answer["user"]["userId"]  # no /me call needed


def test_me_is_a_bare_user_with_its_user_id(server: LiveServer) -> None:
    me = page_call(server, "GET", "/v1/auth/me", PAGE, token=_refresh_jwt(server))
    assert me.status_code == 200
    assert {"userId", "loginIds", "name"} <= set(me.json())


# --- validate ---------------------------------------------------------------------------------


def test_validate_answers_the_claims_of_a_session_jwt(server: LiveServer) -> None:
    session_jwt = signed_in(server)["sessionToken"]["jwt"]
    answer = _post(server, "/v1/auth/validate", token=session_jwt)
    assert answer.status_code == 200, answer.text
    assert answer.json()["parsedJWT"] == jwt.decode(session_jwt, options={"verify_signature": False})


@pytest.mark.parametrize("kind", ["none", "refresh-jwt", "garbage", "expired"])
def test_validate_refuses_anything_but_a_live_session_jwt(server: LiveServer, kind: str) -> None:
    tokens = signed_in(server)
    token = {
        "none": None,
        "refresh-jwt": tokens["refreshSessionToken"]["jwt"],
        "garbage": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
        "expired": tokens["sessionToken"]["jwt"],
    }[kind]
    if kind == "expired":
        server.clock.advance(3600)
    try:
        answer = _post(server, "/v1/auth/validate", token=token)
    finally:
        if kind == "expired":
            server.clock.advance(-3600)
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "E064004"


# --- a stale or foreign stored refresh JWT on sign-in ---------------------------------------------


@pytest.mark.parametrize("stored", ["revoked", "another user's", "another project's", "garbage"])
def test_a_stale_bearer_does_not_fail_an_otp_sign_in(server: LiveServer, stored: str, tmp_path: Path) -> None:
    """The SDK attaches its stored refresh JWT to every call: a sign-in must ignore it (and
    never merge into the user it names)."""
    if stored == "another project's":
        with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path) as other:
            token = _refresh_jwt(other)
    else:
        token = {
            "revoked": _revoked_refresh_jwt(server),
            "another user's": _refresh_jwt(server),
            "garbage": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
        }[stored]
    login_id = unique_email()
    verified = _otp_session(server, login_id, token)
    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["loginIds"] == [login_id]
    assert verified.json()["firstSeen"] is True


def test_a_stale_bearer_does_not_fail_a_magic_link(server: LiveServer) -> None:
    token, login_id = _revoked_refresh_jwt(server), unique_email()
    started = _post(server, "/v1/auth/magiclink/signup-in/email", {"loginId": login_id, "URI": DEFAULT_REDIRECT}, token)
    assert started.status_code == 200, started.text
    verified = _post(server, "/v1/auth/magiclink/verify", {"token": server.inbox.token_for(login_id)}, token)
    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["loginIds"] == [login_id]


def test_the_enchanted_link_poll_is_never_2xx_while_pending(server: LiveServer) -> None:
    """Pending is 401 E062503 (the SDK polls on any non-2xx and stops at the first 2xx),
    whatever stale refresh JWT the page sends along."""
    token, login_id = _revoked_refresh_jwt(server), unique_email()
    started = _post(
        server, "/v1/auth/enchantedlink/signup-in/email", {"loginId": login_id, "URI": DEFAULT_REDIRECT}, token
    )
    assert started.status_code == 200, started.text
    pending_ref, link_id = started.json()["pendingRef"], started.json()["linkId"]
    for _ in range(3):
        pending = _post(server, "/v1/auth/enchantedlink/pending-session", {"pendingRef": pending_ref}, token)
        assert pending.status_code == 401
        assert pending.json()["errorCode"] == "E062503"
    link = server.inbox.links_for(login_id)[link_id]
    assert _post(server, "/v1/auth/enchantedlink/verify", {"token": token_of(link)}, token).json() == {}
    session = _post(server, "/v1/auth/enchantedlink/pending-session", {"pendingRef": pending_ref}, token)
    assert session.status_code == 200, session.text
    assert session.json()["user"]["loginIds"] == [login_id]


# --- JSON everywhere ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/v1/auth/no-such-route", 404),
        ("GET", "/v1/auth/refresh", 405),
        ("OPTIONS", "/v1/auth/refresh", 405),  # an OPTIONS that is no preflight
        ("HEAD", "/v1/auth/me", 405),
    ],
)
def test_unknown_routes_and_methods_answer_json(server: LiveServer, method: str, path: str, status: int) -> None:
    answer = httpx.request(method, server.base_url + path, headers={"Origin": PAGE})
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    if method != "HEAD":
        assert answer.json()["errorCode"] in {"E011006", "E011007"}


# --- session upkeep and the per-IP request limit --------------------------------------------------


def test_session_upkeep_is_not_counted_against_the_request_limit(tmp_path: Path) -> None:
    """A 429 on refresh, try-refresh or me signs the browser user out: those routes have a
    window of their own, so sign-ins exhausting the per-IP limit leave sessions alone."""
    settings = limited(requests_per_ip="3/minute")
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        token = _otp_session(live, unique_email()).json()["refreshJwt"]  # two requests counted
        assert _post(live, "/v1/auth/otp/signin/email", {"loginId": "x@y.co"}).status_code == 400
        assert _post(live, "/v1/auth/otp/signin/email", {"loginId": "x@y.co"}).status_code == 429
        for path in ("/v1/auth/refresh?dcs=t&dcr=t", "/v1/auth/try-refresh?dcs=t&dcr=t") * 3:
            refreshed = _post(live, path, token=token)
            assert refreshed.status_code == 200, refreshed.text
            token = refreshed.json()["refreshJwt"]  # rotated
            assert page_call(live, "GET", "/v1/auth/me", PAGE, token=token).status_code == 200
            assert page_call(live, "GET", "/v1/auth/me/history", PAGE, token=token).status_code == 200
            assert _post(live, "/v1/auth/me/tenants", {"dct": True}, token).status_code == 200


def test_session_upkeep_has_a_limit_of_its_own(tmp_path: Path) -> None:
    settings = limited(session_requests_per_ip="2/minute")
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        answers = [_post(live, "/v1/auth/try-refresh").status_code for _ in range(3)]
        sign_in = _post(live, "/v1/auth/otp/signin/email", {"loginId": "x@y.co"}).status_code
    assert answers == [200, 200, 429]
    assert sign_in == 400  # the other routes' window is untouched
