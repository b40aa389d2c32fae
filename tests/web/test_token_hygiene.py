"""Every route that takes a refresh JWT refuses every kind of bad token with 401.

Forgeries with valid signatures are made with the project's own key, read the way the
server reads it (the master secret in the data directory): the claims are the attack.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import jwt
import pytest
from descope import DeliveryMethod

from passgate.auth.keyring import KeyRing
from passgate.auth.projects import ProjectDirectory
from passgate.clock import SystemClock
from passgate.crypto import tokens
from passgate.crypto.keys import SigningKey
from passgate.storage.connect import open_database
from passgate.wiring import load_secrets
from tests.support import LiveServer, unique_email

ROUTES = [
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/auth/logoutall"),
    ("GET", "/v1/auth/me"),
    ("GET", "/v1/auth/me/history"),
    ("POST", "/v1/auth/otp/update/email"),
]
KINDS = [
    "session-jwt",
    "alg-none",
    "hs256-with-public-key",
    "unknown-kid",
    "wrong-iss",
    "wrong-aud",
    "expired",
    "future-iat",
    "drn-session",
    "no-jti",
]


def _key(server: LiveServer) -> SigningKey:
    async def load() -> SigningKey:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            clock = SystemClock()
            project = await ProjectDirectory(db, clock, 0).get(server.project_id)
            return await KeyRing(db, load_secrets(server.settings), clock).signing_key(project)
        finally:
            await db.close()

    return asyncio.run(load())


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forge(server: LiveServer, session: dict[str, Any], kind: str) -> str:
    refresh = session["refreshSessionToken"]["jwt"]
    claims = jwt.decode(refresh, options={"verify_signature": False})
    header = jwt.get_unverified_header(refresh)
    key = _key(server)
    now = claims["iat"]
    resigned = {
        "wrong-iss": {**claims, "iss": "P2someotherproject0000000000"},
        "wrong-aud": {**claims, "aud": ["someone-else"]},
        "expired": {**claims, "iat": now - 7200, "exp": now - 3600},
        "future-iat": {**claims, "iat": now + 3600},
        "drn-session": {**claims, "drn": "DS"},
        "no-jti": {k: v for k, v in claims.items() if k not in ("jti", "sid")},
    }
    if kind in resigned:
        return tokens.sign(resigned[kind], key)
    if kind == "session-jwt":
        return str(session["sessionToken"]["jwt"])
    if kind == "alg-none":
        return f"{_b64({'alg': 'none', 'kid': header['kid']})}.{_b64(claims)}."
    if kind == "unknown-kid":
        return jwt.encode(claims, key.private_key, algorithm=key.alg, headers={"kid": "K2neverpublished"})
    jwks = httpx.get(f"{server.base_url}/v2/keys/{server.project_id}").json()["keys"][0]
    signing_input = f"{_b64({'alg': 'HS256', 'kid': header['kid']})}.{_b64(claims)}"
    mac = hmac.new(json.dumps(jwks).encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.fixture(scope="module")
def session(server: LiveServer) -> dict[str, Any]:
    client = server.client()
    login_id = unique_email("hygiene")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    answer: dict[str, Any] = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    return answer


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_bad_tokens_are_refused_everywhere(
    server: LiveServer, session: dict[str, Any], method: str, path: str, kind: str
) -> None:
    token = _forge(server, session, kind)
    body = {"loginId": session["user"]["loginIds"][0], "email": unique_email()} if method == "POST" else None
    response = httpx.request(
        method,
        server.base_url + path,
        json=body,
        headers={"Authorization": f"Bearer {server.project_id}:{token}"},
    )
    assert response.status_code == 401, (kind, response.text)
    assert response.json()["errorCode"] == "E064002"
    # and the genuine token still works: nothing above revoked it
    assert server.client().me(session["refreshSessionToken"]["jwt"])["userId"] == session["user"]["userId"]
