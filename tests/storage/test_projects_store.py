"""Projects (``projects_store``) and their signing keys (``keys_store``)."""

from __future__ import annotations

import pytest

from passgate.identifiers import new_opaque_id, new_project_id
from passgate.models.projects import Project, ProjectSettings, RateLimitSettings
from passgate.storage import keys_store, projects_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


async def test_a_project_reads_back_with_its_settings(db: Database) -> None:
    settings = ProjectSettings(
        otp_length=8,
        jwt_algorithm="EdDSA",
        approved_redirect_urls=("https://app.example.com",),
        rate_limits=RateLimitSettings(sends_per_project="5/minute"),
        token_delivery="cookies",
    )
    project = Project(new_project_id(), "settings", settings, created_at=NOW_MS / 1000)
    async with db.transaction() as tx:
        await projects_store.insert_project(tx, project)
    async with db.transaction() as tx:
        assert await projects_store.get_project(tx, project.id) == project
        assert await projects_store.lock_project(tx, project.id) == project
        assert project in await projects_store.list_projects(tx)
        changed = ProjectSettings(otp_length=10)
        await projects_store.update_settings(tx, project.id, changed)
        found = await projects_store.get_project(tx, project.id)
    assert found == Project(project.id, project.name, changed, project.created_at)


async def test_a_project_id_is_used_once(db: Database) -> None:
    project = await new_project(db)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await projects_store.insert_project(tx, project)


async def test_signing_keys_rotate_through_next_active_retired(db: Database) -> None:
    project = await new_project(db)

    async def insert(kid: str, status: str, now_ms: int, activate_at_ms: int | None = None) -> None:
        async with db.transaction() as tx:
            await keys_store.insert_signing_key(
                tx,
                kid=kid,
                project_id=project.id,
                alg="ES256",
                private_key_sealed=f"sealed-{kid}",
                public_jwk=f'{{"kid": "{kid}"}}',
                status=status,
                now_ms=now_ms,
                activate_at_ms=activate_at_ms,
            )

    first, second = new_opaque_id(), new_opaque_id()
    await insert(first, "active", NOW_MS)
    await insert(second, "next", NOW_MS + 1, activate_at_ms=NOW_MS + 100)
    async with db.transaction() as tx:
        published = await keys_store.published_keys(tx, project.id, retired_after_ms=0)
        assert [(k["kid"], k["status"], k["activate_at"]) for k in published] == [
            (first, "active", None),
            (second, "next", NOW_MS + 100),
        ]
        assert published[0]["private_key_sealed"] == f"sealed-{first}"
        assert await keys_store.promote(tx, project.id, second, NOW_MS + 100)
        assert not await keys_store.promote(tx, project.id, second, NOW_MS + 101)  # promoted already
        published = await keys_store.published_keys(tx, project.id, retired_after_ms=NOW_MS + 99)
        assert [(k["kid"], k["status"], k["retired_at"]) for k in published] == [
            (second, "active", None),
            (first, "retired", NOW_MS + 100),
        ]
        assert await keys_store.published_keys(tx, project.id, retired_after_ms=NOW_MS + 100) == published[:1]
    third = new_opaque_id()
    await insert(third, "next", NOW_MS + 200)
    async with db.transaction() as tx:
        await keys_store.drop_pending(tx, project.id)
        assert [k["kid"] for k in await keys_store.all_keys(tx, project.id)] == [second, first]
    with pytest.raises(IntegrityViolation):
        await insert(first, "next", NOW_MS + 300)
