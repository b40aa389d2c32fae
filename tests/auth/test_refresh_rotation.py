"""Refresh-token rotation with reuse detection, and no false alarms for honest races."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from descope import AuthException

from tests.support import LiveServer, signed_in, unique_email

PAIRS = 1000


def test_refresh_rotates_and_a_replayed_parent_revokes_the_session(server: LiveServer) -> None:
    client = server.client()
    first = signed_in(server)["refreshSessionToken"]["jwt"]
    second = client.refresh_session(first)["refreshSessionToken"]["jwt"]
    assert second != first
    assert (
        jwt.decode(second, options={"verify_signature": False})["jti"]
        != jwt.decode(first, options={"verify_signature": False})["jti"]
    )
    third = client.refresh_session(second)["refreshSessionToken"]["jwt"]

    server.clock.advance(31)  # past the 30 s grace window
    try:
        replay = httpx.post(
            f"{server.base_url}/v1/auth/refresh",
            json={},
            headers={"Authorization": f"Bearer {server.project_id}:{first}"},
        )
        after = httpx.post(
            f"{server.base_url}/v1/auth/refresh",
            json={},
            headers={"Authorization": f"Bearer {server.project_id}:{third}"},
        )
    finally:
        server.clock.advance(-31)
    assert replay.status_code == 401
    assert replay.json()["errorCode"] == "E064001"
    assert after.status_code == 401  # the thief's replay took the whole session down, honest holder included


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of ``token`` as written, signature unchecked (the test compares two tokens)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_parent_within_grace_gets_the_current_generation(server: LiveServer) -> None:
    client = server.client()
    first = signed_in(server)["refreshSessionToken"]["jwt"]
    rotated = client.refresh_session(first)["refreshSessionToken"]["jwt"]
    retried = client.refresh_session(first)["refreshSessionToken"]["jwt"]  # e.g. a retry after a lost response
    assert unverified_claims(retried)["jti"] == unverified_claims(rotated)["jti"]
    client.refresh_session(rotated)


async def _sessions(server: LiveServer, count: int, users: int = 50) -> list[str]:
    headers = {"Authorization": f"Bearer {server.project_id}:{server.management_key}"}
    auth = {"Authorization": f"Bearer {server.project_id}"}
    tokens: list[str] = []
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:

        async def user_sessions() -> None:
            login_id = unique_email("pair")
            created = await http.post("/v1/mgmt/user/create/test", json={"loginId": login_id}, headers=headers)
            assert created.status_code == 200, created.text
            for _ in range(count // users):
                code = (
                    await http.post("/v1/mgmt/tests/generate/otp", json={"loginId": login_id}, headers=headers)
                ).json()
                verified = await http.post(
                    "/v1/auth/otp/verify/email", json={"loginId": login_id, "code": code["code"]}, headers=auth
                )
                tokens.append(verified.json()["refreshJwt"])

        await asyncio.gather(*(user_sessions() for _ in range(users)))
    return tokens


async def _refresh_pairs(server: LiveServer, refresh_tokens: list[str]) -> list[tuple[httpx.Response, httpx.Response]]:
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120, limits=limits) as http:
        semaphore = asyncio.Semaphore(32)

        async def refresh(token: str) -> httpx.Response:
            bearer = {"Authorization": f"Bearer {server.project_id}:{token}"}
            return await http.post("/v1/auth/refresh", json={}, headers=bearer)

        async def pair(token: str) -> tuple[httpx.Response, httpx.Response]:
            async with semaphore:
                first, second = await asyncio.gather(refresh(token), refresh(token))
                return first, second

        return await asyncio.gather(*(pair(token) for token in refresh_tokens))


@pytest.mark.slow
def test_thousand_concurrent_refresh_pairs_raise_no_false_alarm(server: LiveServer) -> None:
    refresh_tokens = asyncio.run(_sessions(server, PAIRS))
    assert len(refresh_tokens) == PAIRS
    pairs = asyncio.run(_refresh_pairs(server, refresh_tokens))
    failures = [r.text for pair in pairs for r in pair if r.status_code != 200]
    assert failures == []
    for first, second in pairs:
        a = jwt.decode(first.json()["refreshJwt"], options={"verify_signature": False})
        b = jwt.decode(second.json()["refreshJwt"], options={"verify_signature": False})
        assert a["jti"] == b["jti"]  # both tabs hold the same, current generation
    # and every session is still alive: refresh each once more with what the second tab got
    again = asyncio.run(_refresh_pairs(server, [second.json()["refreshJwt"] for _, second in pairs[:50]]))
    assert all(r.status_code == 200 for pair in again for r in pair)


def test_rotation_off_keeps_the_refresh_token(tmp_path: Any) -> None:
    from tests.support import database_url, live_server, relaxed

    settings = relaxed(refresh_rotation=False)
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        refresh = signed_in(live)["refreshSessionToken"]["jwt"]
        assert live.client().refresh_session(refresh)["refreshSessionToken"]["jwt"] == refresh
        live.clock.advance(60)
        try:
            response = httpx.post(
                f"{live.base_url}/v1/auth/refresh",
                json={},
                headers={"Authorization": f"Bearer {live.project_id}:{refresh}"},
            )
        finally:
            live.clock.advance(-60)
        assert response.status_code == 200


def test_sdk_refresh_follows_rotation(server: LiveServer) -> None:
    client = server.client()
    session = signed_in(server)
    token = session["refreshSessionToken"]["jwt"]
    for _ in range(3):
        token = client.refresh_session(token)["refreshSessionToken"]["jwt"]
    with pytest.raises(AuthException) as reused:  # the original is three generations old
        client.logout(session["refreshSessionToken"]["jwt"])
    assert reused.value.status_code == 401
    with pytest.raises(AuthException):  # reuse revoked the whole session: even the newest token is dead
        client.refresh_session(token)
