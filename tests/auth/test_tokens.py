"""Signing algorithms the SDK accepts, JWKS shape, and what the refresh routes refuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from descope import DeliveryMethod

from tests.support import LiveServer, database_url, live_server, relaxed, signed_in, unique_email


@pytest.fixture(scope="module", params=["RS256", "ES256", "EdDSA"])
def alg_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir: Path = tmp_path_factory.mktemp(f"alg-{request.param}")
    settings = relaxed(jwt_algorithm=request.param)
    with database_url("sqlite", data_dir) as url, live_server(url, data_dir, project_settings=settings) as live:
        yield live


def test_sdk_validates_and_refreshes_with_each_algorithm(alg_server: LiveServer) -> None:
    client = alg_server.client()
    session = signed_in(alg_server)
    header = jwt.get_unverified_header(session["sessionToken"]["jwt"])
    keys = httpx.get(f"{alg_server.base_url}/v2/keys/{alg_server.project_id}").json()["keys"]
    assert [(k["kid"], k["alg"], k["use"]) for k in keys] == [(header["kid"], header["alg"], "sig")]
    assert all("d" not in k and "p" not in k for k in keys)  # public halves only
    claims = client.validate_session(session["sessionToken"]["jwt"])
    assert claims["iss"] == alg_server.project_id
    assert claims["aud"] == [alg_server.project_id]
    assert claims["exp"] - claims["iat"] == 600
    alg_server.clock.advance(3)  # a later refresh (within the SDK's 5 s iat leeway)
    try:
        refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    finally:
        alg_server.clock.advance(-3)
    assert refreshed["refreshSessionToken"]["drn"] == "DSR"
    first = session["refreshSessionToken"]
    assert first["exp"] - first["iat"] == 28 * 86400
    # Rotation issues a new generation of the same session: its absolute expiry does not move.
    assert refreshed["refreshSessionToken"]["exp"] == first["exp"]
    assert refreshed["refreshSessionToken"]["jwt"] != first["jwt"]


def _refresh(server: LiveServer, token: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/auth/refresh",
        json={},
        headers={"Authorization": f"Bearer {server.project_id}:{token}"},
    )


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256(claims: dict[str, Any], kid: str, secret: bytes) -> str:
    """The classic key-confusion forgery: HMAC keyed with the published public key."""
    signing_input = f"{_b64({'alg': 'HS256', 'kid': kid, 'typ': 'JWT'})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _forgeries(server: LiveServer, session: dict[str, Any]) -> dict[str, str]:
    refresh = session["refreshSessionToken"]["jwt"]
    header = jwt.get_unverified_header(refresh)
    claims = jwt.decode(refresh, options={"verify_signature": False})
    head, body, signature = refresh.split(".")
    public_jwk = httpx.get(f"{server.base_url}/v2/keys/{server.project_id}").json()["keys"][0]
    return {
        "session-jwt-as-refresh": session["sessionToken"]["jwt"],
        "alg-none": f"{_b64({'alg': 'none', 'kid': header['kid'], 'typ': 'JWT'})}.{body}.",
        "hs256-with-public-key": _hs256(claims, header["kid"], json.dumps(public_jwk).encode()),
        "unknown-kid": f"{_b64({**header, 'kid': 'K2unknown'})}.{body}.{signature}",
        "tampered-claims": f"{head}.{_b64({**claims, 'sub': 'U2someoneelse'})}.{signature}",
        "drn-swapped": f"{head}.{_b64({**claims, 'drn': 'DS'})}.{signature}",
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "session-jwt-as-refresh",
        "alg-none",
        "hs256-with-public-key",
        "unknown-kid",
        "tampered-claims",
        "drn-swapped",
        "garbage",
    ],
)
def test_refresh_refuses_forged_and_wrong_type_tokens(server: LiveServer, kind: str) -> None:
    session = signed_in(server)
    response = _refresh(server, _forgeries(server, session)[kind])
    assert response.status_code == 401, response.text
    assert response.json()["errorCode"] == "E064002"


def test_refresh_token_of_another_project_is_refused(server: LiveServer, tmp_path: Path) -> None:
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path) as other:
        foreign = signed_in(other)["refreshSessionToken"]["jwt"]
    response = _refresh(server, foreign)
    assert response.status_code == 401
    assert response.json()["errorCode"] == "E064002"


def test_expired_refresh_token_is_refused(server: LiveServer) -> None:
    refresh = signed_in(server)["refreshSessionToken"]["jwt"]
    server.clock.advance(28 * 86400 + 10)
    try:
        response = _refresh(server, refresh)
    finally:
        server.clock.advance(-(28 * 86400 + 10))
    assert response.status_code == 401
    assert "expired" in response.json()["errorMessage"]


def test_logout_all_revokes_every_session_of_the_user(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    first = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    second = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id, after=1))
    client.logout_all(second["refreshSessionToken"]["jwt"])
    for session in (first, second):
        assert _refresh(server, session["refreshSessionToken"]["jwt"]).json()["errorCode"] == "E064001"
