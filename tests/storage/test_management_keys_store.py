"""Management keys (``management_keys_store``): found by digest until revoked, changed, listed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.identifiers import new_key_id, new_opaque_id
from passgate.models.management_keys import INACTIVE, ManagementKeyRecord
from passgate.models.projects import Project
from passgate.storage import management_keys_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


def a_key(project_id: str, **fields: object) -> ManagementKeyRecord:
    """A key with every field set to something other than its default."""
    key = ManagementKeyRecord(
        id=new_key_id(),
        project_id=project_id,
        key_hash=new_opaque_id() * 2,
        name="ci",
        created_at_ms=NOW_MS,
        description="the deploy pipeline",
        status=INACTIVE,
        expires_at_ms=NOW_MS + 3_600_000,
        permitted_ips=("203.0.113.0/24", "2001:db8::1"),
        rebac={"projectRoles": [{"projectIds": [project_id], "roles": ["Project Admin"]}]},
    )
    return replace(key, **fields)  # type: ignore[arg-type]


async def test_a_key_reads_back_whole_by_digest_and_id_until_revoked(db: Database, project: Project) -> None:
    other = await new_project(db)
    key = a_key(project.id)
    async with db.transaction() as tx:
        await management_keys_store.insert(tx, key)
        assert await management_keys_store.find_by_hash(tx, key.key_hash) == key
        assert await management_keys_store.find(tx, project.id, key.id) == key
        assert await management_keys_store.find(tx, other.id, key.id) is None
        assert await management_keys_store.revoke(tx, other.id, [key.id], NOW_MS + 1) == 0
        assert await management_keys_store.revoke(tx, project.id, [key.id, "K2unknown"], NOW_MS + 1) == 1
        assert await management_keys_store.revoke(tx, project.id, [key.id], NOW_MS + 2) == 0  # revoked already
        assert await management_keys_store.find_by_hash(tx, key.key_hash) is None
        assert await management_keys_store.find(tx, project.id, key.id) == replace(key, revoked_at_ms=NOW_MS + 1)


async def test_a_digest_names_one_key(db: Database, project: Project) -> None:
    key = a_key(project.id)
    async with db.transaction() as tx:
        await management_keys_store.insert(tx, key)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await management_keys_store.insert(tx, a_key(project.id, key_hash=key.key_hash))


async def test_save_changes_only_name_description_status_and_addresses(db: Database, project: Project) -> None:
    key = a_key(project.id)
    async with db.transaction() as tx:
        await management_keys_store.insert(tx, key)
        changed = replace(key, name="renamed", description="", status="active", permitted_ips=())
        await management_keys_store.save(
            tx, replace(changed, key_hash="x" * 64, created_at_ms=1, expires_at_ms=2, rebac={"companyRoles": []})
        )
        assert await management_keys_store.find(tx, project.id, key.id) == changed
        await management_keys_store.revoke(tx, project.id, [key.id], NOW_MS + 1)
        await management_keys_store.save(tx, replace(changed, name="after revocation"))
        found = await management_keys_store.find(tx, project.id, key.id)
    assert found is not None
    assert found.name == "renamed"  # a revoked key is never changed


async def test_keys_are_listed_oldest_first_revoked_ones_on_request(db: Database, project: Project) -> None:
    first, second = a_key(project.id), a_key(project.id, created_at_ms=NOW_MS + 5)
    async with db.transaction() as tx:
        for key in (second, first):
            await management_keys_store.insert(tx, key)
        await management_keys_store.revoke(tx, project.id, [first.id], NOW_MS + 10)
        revoked_first = replace(first, revoked_at_ms=NOW_MS + 10)
        assert await management_keys_store.list_keys(tx, project.id, revoked_too=True) == [revoked_first, second]
        assert await management_keys_store.list_keys(tx, project.id, revoked_too=False) == [second]
