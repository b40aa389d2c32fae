"""Tenants (``tenants_store``): JSON fields, unique ID and name, deletion of what lives inside."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.identifiers import new_role_id
from passgate.models.projects import Project
from passgate.models.roles import PROJECT_LEVEL, RoleRecord
from passgate.models.tenants import TenantRecord, TenantSettings
from passgate.storage import grants_store, roles_store, tenants_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project, stored_user

pytestmark = pytest.mark.anyio


def a_tenant(tenant_id: str = "acme", name: str = "Acme", created_at_ms: int = NOW_MS) -> TenantRecord:
    return TenantRecord(
        id=tenant_id,
        name=name,
        self_provisioning_domains=("acme.com", "acme.org"),
        custom_attributes={"tier": "gold", "seats": 10},
        enforce_sso=True,
        disabled=True,
        settings=TenantSettings(domains=["acme.com"], auth_type="oidc", session_token_expiration=15),
        created_at_ms=created_at_ms,
    )


async def stored_tenant(db: Database, project_id: str, tenant: TenantRecord) -> TenantRecord:
    async with db.transaction() as tx:
        await tenants_store.insert_tenant(tx, project_id, tenant)
    return tenant


async def test_a_tenant_reads_back_as_it_was_stored(db: Database, project: Project) -> None:
    tenant = await stored_tenant(db, project.id, a_tenant())
    plain = await stored_tenant(db, project.id, TenantRecord("plain", "Plain"))
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await tenants_store.get_tenant(tx, project.id, "acme") == tenant
        assert await tenants_store.find_by_name(tx, project.id, "Plain") == plain
        assert await tenants_store.get_tenant(tx, other.id, "acme") is None


async def test_tenant_ids_and_names_are_unique_in_a_project(db: Database, project: Project) -> None:
    await stored_tenant(db, project.id, a_tenant())
    for clash in (a_tenant(name="Other name"), a_tenant(tenant_id="other-id")):
        with pytest.raises(IntegrityViolation):
            async with db.transaction() as tx:
                await tenants_store.insert_tenant(tx, project.id, clash)
    await stored_tenant(db, (await new_project(db)).id, a_tenant())  # another project may reuse both


async def test_an_update_overwrites_all_but_the_creation_time(db: Database, project: Project) -> None:
    tenant = await stored_tenant(db, project.id, a_tenant())
    changed = replace(
        tenant,
        name="Acme Inc",
        self_provisioning_domains=(),
        disabled=False,
        settings=TenantSettings(),
        created_at_ms=1,
    )
    async with db.transaction() as tx:
        assert await tenants_store.update_tenant(tx, project.id, changed) == 1
        assert await tenants_store.update_tenant(tx, project.id, replace(changed, id="missing")) == 0
        assert await tenants_store.get_tenant(tx, project.id, "acme") == replace(changed, created_at_ms=NOW_MS)


async def test_list_is_oldest_first_and_filters_by_id_and_name(db: Database, project: Project) -> None:
    newer = await stored_tenant(db, project.id, a_tenant("b", "B", NOW_MS + 1))
    older = await stored_tenant(db, project.id, a_tenant("a", "A", NOW_MS))
    async with db.transaction(write=False) as tx:
        assert await tenants_store.list_tenants(tx, project.id) == [older, newer]
        assert await tenants_store.list_tenants(tx, project.id, ids=["b", "zz"]) == [newer]
        assert await tenants_store.list_tenants(tx, project.id, names=["A"]) == [older]
        assert await tenants_store.list_tenants(tx, project.id, ids=[]) == []


async def test_deleting_a_tenant_removes_its_roles_memberships_and_grants(db: Database, project: Project) -> None:
    only_here, also_elsewhere = await stored_user(db, project.id), await stored_user(db, project.id)
    await stored_tenant(db, project.id, a_tenant("acme", "Acme"))
    await stored_tenant(db, project.id, a_tenant("globex", "Globex"))
    project_role = RoleRecord(new_role_id(), "viewer", PROJECT_LEVEL)
    local_role = RoleRecord(new_role_id(), "local", "acme")
    async with db.transaction() as tx:
        await roles_store.insert_role(tx, project.id, project_role)
        await roles_store.insert_role(tx, project.id, local_role)
        for user, tenants in ((only_here, ["acme"]), (also_elsewhere, ["acme", "globex"])):
            for tenant_id in tenants:
                await grants_store.join_tenant(tx, project.id, user.id, tenant_id, NOW_MS)
            await grants_store.grant_roles(tx, project.id, user.id, "acme", [project_role.id, local_role.id])
        assert await tenants_store.users_only_in(tx, project.id, "acme") == [only_here.id]
        assert await tenants_store.delete_tenant(tx, project.id, "acme") == 1
        assert await tenants_store.delete_tenant(tx, project.id, "acme") == 0
        assert await roles_store.find_role(tx, project.id, "acme", role_id=local_role.id) is None
        assert await roles_store.find_role(tx, project.id, PROJECT_LEVEL, role_id=project_role.id) == project_role
        authz = await grants_store.authorizations(tx, [only_here.id, also_elsewhere.id])
    assert authz[only_here.id].tenants == ()
    assert [(t.tenant_id, t.role_names) for t in authz[also_elsewhere.id].tenants] == [("globex", ())]
