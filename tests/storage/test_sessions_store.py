"""Refresh sessions (``sessions_store``): one row per refresh JWT, rotated and revoked in place."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord
from passgate.storage import sessions_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project, stored_user

pytestmark = pytest.mark.anyio


def a_session(project_id: str, user_id: str, created_at_ms: int = NOW_MS) -> SessionRecord:
    return SessionRecord(
        id=new_opaque_id(),
        project_id=project_id,
        user_id=user_id,
        amr=["email", "sms"],
        ip="203.0.113.7",
        created_at_ms=created_at_ms,
        expires_at_ms=created_at_ms + 86_400_000,
        revoked_at_ms=None,
        current_jti=new_opaque_id(),
    )


async def stored_session(db: Database, project_id: str, user_id: str, created_at_ms: int = NOW_MS) -> SessionRecord:
    session = a_session(project_id, user_id, created_at_ms)
    async with db.transaction() as tx:
        await sessions_store.insert_session(tx, session, "Mozilla/5.0")
    return session


async def test_a_session_reads_back_as_it_was_stored(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = await stored_session(db, project.id, user.id)
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await sessions_store.get_session(tx, project.id, session.id) == session
        assert await sessions_store.get_session(tx, other.id, session.id) is None


async def test_a_session_id_is_used_once(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = await stored_session(db, project.id, user.id)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await sessions_store.insert_session(tx, replace(session, current_jti="other"), "")


async def test_a_session_needs_an_existing_user(db: Database, project: Project) -> None:
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await sessions_store.insert_session(tx, a_session(project.id, "U2nobody"), "")


async def test_a_long_user_agent_is_cut_to_its_column_not_refused(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = a_session(project.id, user.id)
    async with db.transaction() as tx:
        await sessions_store.insert_session(tx, session, "A" * 1000)
        row = await tx.fetch_one("SELECT user_agent FROM sessions WHERE id = :id", {"id": session.id})
    assert row == {"user_agent": "A" * sessions_store.USER_AGENT_LENGTH}


async def test_rotation_succeeds_once_per_current_jti(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = await stored_session(db, project.id, user.id)
    assert session.current_jti is not None
    async with db.transaction() as tx:
        assert await sessions_store.rotate(tx, session.id, session.current_jti, "jti-2", NOW_MS + 1)
        assert not await sessions_store.rotate(tx, session.id, session.current_jti, "jti-3", NOW_MS + 2)
        rotated = await sessions_store.get_session(tx, project.id, session.id)
    assert rotated == replace(session, current_jti="jti-2", previous_jti=session.current_jti, rotated_at_ms=NOW_MS + 1)
    assert rotated.live_jti == "jti-2"


async def test_a_revoked_session_is_not_rotated(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = await stored_session(db, project.id, user.id)
    assert session.current_jti is not None
    async with db.transaction() as tx:
        await sessions_store.revoke(tx, session.id, NOW_MS + 5)
        await sessions_store.revoke(tx, session.id, NOW_MS + 9)  # the first revocation time stays
        assert not await sessions_store.rotate(tx, session.id, session.current_jti, "jti-2", NOW_MS + 10)
        revoked = await sessions_store.get_session(tx, project.id, session.id)
    assert revoked == replace(session, revoked_at_ms=NOW_MS + 5)


async def test_revoke_all_counts_only_live_sessions_of_that_user(db: Database, project: Project) -> None:
    user, other = await stored_user(db, project.id), await stored_user(db, project.id)
    sessions = [await stored_session(db, project.id, user.id) for _ in range(3)]
    kept = await stored_session(db, project.id, other.id)
    async with db.transaction() as tx:
        await sessions_store.revoke(tx, sessions[0].id, NOW_MS)
        assert await sessions_store.revoke_all_of_user(tx, user.id, NOW_MS + 1) == 2
        assert await sessions_store.revoke_all_of_user(tx, user.id, NOW_MS + 2) == 0
        assert await sessions_store.get_session(tx, project.id, kept.id) == kept


async def test_history_is_newest_first_and_limited(db: Database, project: Project) -> None:
    user, other = await stored_user(db, project.id), await stored_user(db, project.id)
    older = await stored_session(db, project.id, user.id, NOW_MS)
    newer = await stored_session(db, project.id, user.id, NOW_MS + 1000)
    theirs = await stored_session(db, project.id, other.id, NOW_MS + 500)
    elsewhere = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await sessions_store.history(tx, user.id, 10) == [newer, older]
        assert await sessions_store.history(tx, user.id, 1) == [newer]
        both = await sessions_store.history_of_users(tx, project.id, [user.id, other.id, user.id], 10)
        assert both == [newer, theirs, older]
        assert await sessions_store.history_of_users(tx, elsewhere.id, [user.id], 10) == []


async def test_merging_users_moves_their_sessions(db: Database, project: Project) -> None:
    merged, kept = await stored_user(db, project.id), await stored_user(db, project.id)
    session = await stored_session(db, project.id, merged.id)
    async with db.transaction() as tx:
        await sessions_store.move_sessions(tx, merged.id, kept.id)
        assert await sessions_store.history(tx, kept.id, 10) == [replace(session, user_id=kept.id)]
        assert await sessions_store.history(tx, merged.id, 10) == []
