"""Link tokens and enchanted-link pending sessions (``links_store``): single use, one poller."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.storage import links_store
from passgate.storage.database import Database, IntegrityViolation
from passgate.storage.links_store import LinkToken, PendingSession
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


def a_token(project_id: str, pending_id: str | None = None, **fields: Any) -> LinkToken:
    token = LinkToken(
        id=new_opaque_id(),
        project_id=project_id,
        token_hash=new_opaque_id() * 2,
        kind="enchanted" if pending_id else "magic",
        login_id="a@example.com",
        user_id=None,
        purpose="signup",
        method="email",
        details={"redirect": "https://example.com/verify"},
        state="pending",
        pending_id=pending_id,
        decoy=False,
        expires_at_ms=NOW_MS + 600_000,
    )
    return replace(token, **fields)


async def stored_token(db: Database, project_id: str, pending_id: str | None = None, **fields: Any) -> LinkToken:
    token = a_token(project_id, pending_id, **fields)
    async with db.transaction() as tx:
        await links_store.insert_token(tx, token, NOW_MS)
    return token


async def stored_pending(db: Database, project_id: str) -> tuple[str, str]:
    """A pending session: its ID and its reference hash."""
    pending_id, ref_hash = new_opaque_id(), new_opaque_id() * 2
    async with db.transaction() as tx:
        await links_store.insert_pending(
            tx,
            pending_id=pending_id,
            project_id=project_id,
            ref_hash=ref_hash,
            now_ms=NOW_MS,
            expires_ms=NOW_MS + 60_000,
        )
    return pending_id, ref_hash


async def test_a_token_is_found_by_its_hash_in_its_project(db: Database, project: Project) -> None:
    token = await stored_token(db, project.id, user_id="U2someone", decoy=True)
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await links_store.find_token(tx, project.id, token.token_hash) == token
        assert await links_store.find_token(tx, other.id, token.token_hash) is None


async def test_a_token_hash_is_unique(db: Database, project: Project) -> None:
    token = await stored_token(db, project.id)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await links_store.insert_token(tx, a_token(project.id, token_hash=token.token_hash), NOW_MS)


async def test_a_token_is_consumed_once(db: Database, project: Project) -> None:
    token = await stored_token(db, project.id)
    async with db.transaction() as tx:
        assert await links_store.usable_among(tx, [token.id], NOW_MS) == {token.id}
        assert await links_store.consume_token(tx, token.id, NOW_MS + 1)
        assert not await links_store.consume_token(tx, token.id, NOW_MS + 2)
        assert await links_store.usable_among(tx, [token.id], NOW_MS + 3) == set()
        assert await links_store.find_token(tx, project.id, token.token_hash) == replace(token, state="used")


async def test_a_pending_session_goes_ready_then_to_one_poller(db: Database, project: Project) -> None:
    pending_id, ref_hash = await stored_pending(db, project.id)
    async with db.transaction() as tx:
        assert await links_store.find_pending(tx, project.id, ref_hash) == PendingSession(
            pending_id, project.id, "pending", None, None, NOW_MS + 60_000
        )
        assert await links_store.mark_ready(tx, pending_id, "session-1", {"amr": ["email"]})
        assert not await links_store.mark_ready(tx, pending_id, "session-2", {})
        ready = await links_store.find_pending(tx, project.id, ref_hash)
        assert ready == PendingSession(
            pending_id, project.id, "ready", "session-1", {"amr": ["email"]}, NOW_MS + 60_000
        )
        assert await links_store.claim_ready(tx, pending_id)
        assert not await links_store.claim_ready(tx, pending_id)
        claimed = await links_store.find_pending(tx, project.id, ref_hash)
    assert claimed == replace(ready, state="claimed", grant_details=None)


async def test_voiding_a_set_voids_its_tokens_and_pending_session(db: Database, project: Project) -> None:
    pending_id, ref_hash = await stored_pending(db, project.id)
    tokens = [await stored_token(db, project.id, pending_id) for _ in range(2)]
    unrelated = await stored_token(db, project.id)
    async with db.transaction() as tx:
        await links_store.void_group(tx, pending_id)
        assert not await links_store.consume_token(tx, tokens[0].id, NOW_MS)
        assert not await links_store.mark_ready(tx, pending_id, "session", {})
        assert await links_store.usable_among(tx, [t.id for t in (*tokens, unrelated)], NOW_MS) == {unrelated.id}
        voided = await links_store.find_pending(tx, project.id, ref_hash)
    assert voided is not None
    assert voided.state == "void"
