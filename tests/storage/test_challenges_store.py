"""One-time-code challenges and failure counters (``challenges_store``): guarded updates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.storage import challenges_store
from passgate.storage.challenges_store import Challenge, Failures
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project, stored_user

pytestmark = pytest.mark.anyio


def a_challenge(project_id: str, login_id: str, user_id: str | None = None, created_at_ms: int = NOW_MS) -> Challenge:
    return Challenge(
        id=new_opaque_id(),
        project_id=project_id,
        login_id=login_id,
        user_id=user_id,
        purpose="signin",
        method="email",
        code_hash="h" * 64,
        state="pending",
        attempts=0,
        max_attempts=2,
        details={"redirect": "https://example.com", "n": 1},
        created_at_ms=created_at_ms,
        expires_at_ms=created_at_ms + 300_000,
    )


async def stored_challenge(db: Database, project_id: str, login_id: str, created_at_ms: int = NOW_MS) -> Challenge:
    challenge = a_challenge(project_id, login_id, created_at_ms=created_at_ms)
    async with db.transaction() as tx:
        await challenges_store.insert_challenge(tx, challenge)
    return challenge


async def test_the_latest_challenge_reads_back_as_it_was_stored(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    challenge = a_challenge(project.id, user.login_ids[0], user.id)
    async with db.transaction() as tx:
        await challenges_store.insert_challenge(tx, challenge)
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await challenges_store.latest(tx, project.id, user.login_ids[0]) == challenge
        assert await challenges_store.latest(tx, other.id, user.login_ids[0]) is None


async def test_a_challenge_id_is_used_once(db: Database, project: Project) -> None:
    challenge = await stored_challenge(db, project.id, "a@example.com")
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await challenges_store.insert_challenge(tx, replace(challenge, login_id="b@example.com"))


async def test_a_new_code_supersedes_the_pending_ones(db: Database, project: Project) -> None:
    first = await stored_challenge(db, project.id, "a@example.com", NOW_MS)
    async with db.transaction() as tx:
        await challenges_store.supersede_pending(tx, project.id, "a@example.com")
        second = a_challenge(project.id, "a@example.com", created_at_ms=NOW_MS + 1)
        await challenges_store.insert_challenge(tx, second)
        assert await challenges_store.latest(tx, project.id, "a@example.com") == second
        assert await challenges_store.usable_among(tx, [first.id, second.id], NOW_MS + 2) == {second.id}


async def test_attempts_are_claimed_until_none_are_left(db: Database, project: Project) -> None:
    challenge = await stored_challenge(db, project.id, "a@example.com")
    async with db.transaction() as tx:
        assert await challenges_store.claim_attempt(tx, challenge.id) == 1
        assert await challenges_store.claim_attempt(tx, challenge.id) == 2
        assert await challenges_store.claim_attempt(tx, challenge.id) is None  # max_attempts is 2
        assert not await challenges_store.claim_and_consume(tx, challenge.id, NOW_MS + 1)


async def test_a_code_is_consumed_once(db: Database, project: Project) -> None:
    challenge = await stored_challenge(db, project.id, "a@example.com")
    async with db.transaction() as tx:
        assert await challenges_store.claim_and_consume(tx, challenge.id, NOW_MS + 1)
        assert not await challenges_store.claim_and_consume(tx, challenge.id, NOW_MS + 2)
        assert await challenges_store.latest(tx, project.id, "a@example.com") == replace(
            challenge, state="used", attempts=1
        )
        assert await challenges_store.usable_among(tx, [challenge.id], NOW_MS + 3) == set()


async def test_a_burned_code_cannot_be_used(db: Database, project: Project) -> None:
    challenge = await stored_challenge(db, project.id, "a@example.com")
    async with db.transaction() as tx:
        await challenges_store.burn(tx, challenge.id)
        assert not await challenges_store.claim_and_consume(tx, challenge.id, NOW_MS + 1)
        assert await challenges_store.claim_attempt(tx, challenge.id) is None


async def test_an_expired_code_is_not_usable(db: Database, project: Project) -> None:
    challenge = await stored_challenge(db, project.id, "a@example.com")
    async with db.transaction(write=False) as tx:
        assert await challenges_store.usable_among(tx, [challenge.id], challenge.expires_at_ms - 1) == {challenge.id}
        assert await challenges_store.usable_among(tx, [challenge.id], challenge.expires_at_ms) == set()


async def test_failures_count_in_a_rolling_window_up_to_the_limit(db: Database, project: Project) -> None:
    login, window = "a@example.com", 60_000
    async with db.transaction() as tx:
        assert await challenges_store.record_failure(tx, project.id, login, NOW_MS, window, 2) == 1
        assert await challenges_store.record_failure(tx, project.id, login, NOW_MS + 10, window, 2) == 2
        assert await challenges_store.record_failure(tx, project.id, login, NOW_MS + 20, window, 2) is None
        assert await challenges_store.failures_in_window(tx, project.id, login, NOW_MS - 1) == Failures(2, NOW_MS + 10)
        # once the first failure leaves the window, one more may be counted
        assert await challenges_store.record_failure(tx, project.id, login, NOW_MS + window, window, 2) == 2
        assert await challenges_store.failures_in_window(tx, project.id, "b@example.com", 0) == Failures(0, 0)
