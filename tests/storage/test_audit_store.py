"""The audit log (``audit_store``): events read back whole, filtered, newest first."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from passgate.identifiers import new_opaque_id
from passgate.models.audit import AuditEvent, AuditQuery
from passgate.models.projects import Project
from passgate.storage import audit_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS

pytestmark = pytest.mark.anyio


def an_event(project_id: str, at_ms: int, **fields: Any) -> AuditEvent:
    event = AuditEvent(
        id=new_opaque_id(),
        project_id=project_id,
        occurred_at_ms=at_ms,
        action="otp.verify",
        outcome="failure",
        user_id="U2someone",
        login_id_masked="a***@example.com",
        login_id_hash="h" * 64,
        ip="203.0.113.9",
        user_agent="curl/8",
        detail={"error": "E061102", "attempt": 2},
    )
    return replace(event, **fields)


async def test_events_read_back_newest_first_and_filtered(db: Database, project: Project) -> None:
    old = an_event(project.id, NOW_MS)
    new = an_event(project.id, NOW_MS + 10, action="otp.signin", outcome="success", user_id=None, login_id_hash=None)
    bare = AuditEvent(new_opaque_id(), project.id, NOW_MS + 5, "mgmt.user.create", "success")
    async with db.transaction() as tx:
        for event in (old, new, bare):
            await audit_store.insert(tx, event)
    query = AuditQuery(project_id=project.id)
    async with db.transaction(write=False) as tx:
        assert await audit_store.search(tx, query) == [new, bare, old]
        assert await audit_store.search(tx, replace(query, limit=1)) == [new]
        assert await audit_store.search(tx, replace(query, user_ids=("U2someone",))) == [old]
        assert await audit_store.search(tx, replace(query, actions=("otp.signin", "mgmt.user.create"))) == [new, bare]
        assert await audit_store.search(tx, replace(query, login_id_hashes=("h" * 64,))) == [old]
        assert await audit_store.search(tx, replace(query, remote_addresses=("203.0.113.9",))) == [new, old]
        assert await audit_store.search(tx, replace(query, from_ms=NOW_MS + 5, to_ms=NOW_MS + 9)) == [bare]
        assert await audit_store.search(tx, AuditQuery(project_id="P2other")) == []


async def test_an_event_id_is_used_once(db: Database, project: Project) -> None:
    event = an_event(project.id, NOW_MS)
    async with db.transaction() as tx:
        await audit_store.insert(tx, event)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await audit_store.insert(tx, replace(event, action="other"))
