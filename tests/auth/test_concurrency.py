"""Attempt limits and single use hold under concurrent requests, on both backends.

Requests go over HTTP to a real server: in-process (one event loop) and, on PostgreSQL,
also a two-worker ``passgate serve`` where requests truly run in parallel.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from passgate.storage.connect import open_database
from tests.support import Inbox, LiveServer, database_url, passgate_cli, relaxed, server_process, unique_email


async def _verify_many(base_url: str, project_id: str, login_id: str, codes: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        headers = {"Authorization": f"Bearer {project_id}"}
        return await asyncio.gather(
            *(
                client.post("/v1/auth/otp/verify/email", json={"loginId": login_id, "code": code}, headers=headers)
                for code in codes
            )
        )


def _start(base_url: str, project_id: str, login_id: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/auth/otp/signup-in/email",
        json={"loginId": login_id},
        headers={"Authorization": f"Bearer {project_id}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def _codes(responses: list[httpx.Response]) -> Counter[str]:
    return Counter("ok" if r.status_code == 200 else r.json()["errorCode"] for r in responses)


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


def _assert_attempts_capped(base_url: str, project_id: str, inbox: Inbox, guesses: int = 50) -> None:
    login_id = unique_email("guess")
    _start(base_url, project_id, login_id)
    code = inbox.code_for(login_id)
    outcomes = _codes(asyncio.run(_verify_many(base_url, project_id, login_id, [_wrong(code)] * guesses)))
    # Exactly the limit of guesses were judged; every other one found the code burned or
    # (racing the fifth failure) the login ID in its back-off.
    assert outcomes["E061102"] == 5
    assert sum(outcomes.values()) == guesses
    assert set(outcomes) <= {"E061102", "E061103", "E130429"}
    late = asyncio.run(_verify_many(base_url, project_id, login_id, [code]))
    assert _codes(late) == Counter({"E061103": 1})


def _assert_single_use(base_url: str, project_id: str, inbox: Inbox) -> None:
    login_id = unique_email("race")
    _start(base_url, project_id, login_id)
    code = inbox.code_for(login_id)
    responses = asyncio.run(_verify_many(base_url, project_id, login_id, [code] * 20))
    outcomes = _codes(responses)
    assert outcomes["ok"] == 1, outcomes
    assert set(outcomes) <= {"ok", "E061102", "E061103"}
    winner = next(r for r in responses if r.status_code == 200).json()
    assert winner["user"]["loginIds"] == [login_id]


@pytest.mark.parametrize("guesses", [50, 200])
def test_parallel_wrong_guesses_use_exactly_the_limit(server: LiveServer, guesses: int) -> None:
    _assert_attempts_capped(server.base_url, server.project_id, server.inbox, guesses)


def test_parallel_guesses_across_resends_never_pass_the_login_id_budget(server: LiveServer) -> None:
    """Rounds of 50 parallel guesses at fresh codes, waiting out each back-off: the count of
    failures stops at exactly 20, whatever the interleaving."""
    login_id = unique_email("budget")
    advanced = 0
    try:
        for round_number in range(30):
            server.clock.advance(901)  # longer than any back-off
            advanced += 901
            _start(server.base_url, server.project_id, login_id)
            code = server.inbox.code_for(login_id, after=round_number)
            guesses = asyncio.run(_verify_many(server.base_url, server.project_id, login_id, [_wrong(code)] * 50))
            if set(_codes(guesses)) == {"E061103"}:
                break
        recorded = asyncio.run(_failures(server, login_id))
    finally:
        server.clock.advance(-advanced)
    assert recorded == 20


async def _failures(server: LiveServer, login_id: str) -> int:
    db = await open_database(server.settings.resolved_database_url(), pool_size=1)
    try:
        async with db.transaction(write=False) as tx:
            row = await tx.fetch_one(
                "SELECT COUNT(*) AS n FROM login_failure_events WHERE login_id = :l", {"l": login_id}
            )
    finally:
        await db.close()
    assert row is not None
    return int(row["n"])


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_limits_hold_across_two_worker_processes(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        lifted = relaxed().model_dump_json()
        created = json.loads(
            passgate_cli(tmp_path, url, "project", "create", "--name", "race", "--json", "--settings", lifted).stdout
        )
        with server_process(url, tmp_path, workers=2) as (base_url, _):
            inbox = Inbox(tmp_path / "outbox.jsonl")
            _assert_attempts_capped(base_url, created["projectId"], inbox)
            _assert_single_use(base_url, created["projectId"], inbox)
