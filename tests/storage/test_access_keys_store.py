"""Access keys (``access_keys_store``): JSON fields, what ``save`` may change, search filters."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from passgate.identifiers import new_key_id, new_opaque_id
from passgate.models.access_keys import ACTIVE, INACTIVE, AccessKeyRecord
from passgate.models.authz import Authorization, TenantAccess
from passgate.models.projects import Project
from passgate.models.tenants import TenantRecord
from passgate.storage import access_keys_store, grants_store, tenants_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


def a_key(project_id: str, **fields: Any) -> AccessKeyRecord:
    key = AccessKeyRecord(
        id=new_key_id(),
        project_id=project_id,
        name="ci",
        secret_hash=new_opaque_id() * 2,
        status=ACTIVE,
        expires_at_ms=NOW_MS + 86_400_000,
        created_by="U2creator",
        client_id="client-1",
        bound_user_id="U2bound",
        custom_claims={"role": "deployer", "n": [1, 2]},
        description="deploys",
        permitted_ips=("10.0.0.0/8", "192.0.2.1"),
        custom_attributes={"team": "ops"},
        created_at_ms=NOW_MS,
        modified_at_ms=NOW_MS + 1,
    )
    return replace(key, **fields)


async def stored_key(db: Database, project_id: str, **fields: Any) -> AccessKeyRecord:
    key = a_key(project_id, **fields)
    async with db.transaction() as tx:
        await access_keys_store.insert(tx, key)
    return key


async def test_a_key_reads_back_as_it_was_stored(db: Database, project: Project) -> None:
    key = await stored_key(db, project.id)
    plain = await stored_key(db, project.id, custom_claims={}, permitted_ips=(), custom_attributes={})
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await access_keys_store.find(tx, project.id, key.id) == key
        assert await access_keys_store.find(tx, project.id, plain.id) == plain
        assert await access_keys_store.find(tx, other.id, key.id) is None
        assert await access_keys_store.existing_ids(tx, project.id, [key.id, "K2nope"]) == {key.id}


@pytest.mark.parametrize("field", ["id", "secret_hash"])
async def test_a_key_id_and_secret_are_used_once(db: Database, project: Project, field: str) -> None:
    key = await stored_key(db, project.id)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await access_keys_store.insert(tx, a_key(project.id, **{field: getattr(key, field)}))


async def test_save_changes_only_what_may_change(db: Database, project: Project) -> None:
    key = await stored_key(db, project.id)
    mutable: dict[str, Any] = {
        "name": "ci-2",
        "secret_hash": new_opaque_id() * 2,
        "status": INACTIVE,
        "custom_claims": {},
        "description": "",
        "permitted_ips": ("198.51.100.0/24",),
        "custom_attributes": {"team": "dev"},
        "modified_at_ms": NOW_MS + 99,
    }
    fixed: dict[str, Any] = {
        "expires_at_ms": 0,
        "created_by": "U2else",
        "client_id": "c2",
        "bound_user_id": "",
        "created_at_ms": 5,
    }
    async with db.transaction() as tx:
        await access_keys_store.save(tx, replace(key, **mutable, **fixed))
        assert await access_keys_store.find(tx, project.id, key.id) == replace(key, **mutable)


async def test_keys_carry_their_grants_and_lose_them_when_deleted(db: Database, project: Project) -> None:
    key = await stored_key(db, project.id)
    async with db.transaction() as tx:
        await tenants_store.insert_tenant(tx, project.id, TenantRecord("acme", "Acme"))
        await grants_store.join_tenant(tx, project.id, key.id, "acme", NOW_MS)
        found = await access_keys_store.find(tx, project.id, key.id)
        assert found == replace(key, authz=Authorization(tenants=(TenantAccess("acme", "Acme"),)))
        await access_keys_store.delete(tx, project.id, [key.id])
        assert await access_keys_store.find(tx, project.id, key.id) is None
        assert not await grants_store.is_member(tx, key.id, "acme")


async def test_search_filters_and_status(db: Database, project: Project) -> None:
    first = await stored_key(db, project.id, created_at_ms=NOW_MS)
    second = await stored_key(db, project.id, created_at_ms=NOW_MS + 1, bound_user_id="U2other", created_by="U2x")
    async with db.transaction() as tx:
        await tenants_store.insert_tenant(tx, project.id, TenantRecord("acme", "Acme"))
        await grants_store.join_tenant(tx, project.id, second.id, "acme", NOW_MS)
        assert [k.id for k in await access_keys_store.search(tx, project.id)] == [first.id, second.id]
        assert [k.id for k in await access_keys_store.search(tx, project.id, tenant_ids=["acme"])] == [second.id]
        assert [k.id for k in await access_keys_store.search(tx, project.id, bound_user_id="U2bound")] == [first.id]
        assert [k.id for k in await access_keys_store.search(tx, project.id, created_by="U2x")] == [second.id]
        await access_keys_store.set_status(tx, project.id, [first.id], INACTIVE, NOW_MS + 50)
        assert await access_keys_store.find(tx, project.id, first.id) == replace(
            first, status=INACTIVE, modified_at_ms=NOW_MS + 50
        )
