"""Tenant memberships and role grants of principals (``grants_store``), read as authorizations."""

from __future__ import annotations

import pytest

from passgate.identifiers import new_permission_id, new_role_id
from passgate.models.authz import Authorization, TenantAccess
from passgate.models.projects import Project
from passgate.models.roles import PROJECT_LEVEL, PermissionRecord, RoleRecord
from passgate.models.tenants import TenantRecord
from passgate.storage import grants_store, roles_store, tenants_store, users_store
from passgate.storage.database import Database, IntegrityViolation, Transaction
from tests.storage.build import NOW_MS, stored_user

pytestmark = pytest.mark.anyio


async def role(tx: Transaction, project_id: str, name: str, tenant_id: str = PROJECT_LEVEL, *perms: str) -> str:
    """A stored role holding the named permissions (created as needed); its ID."""
    record = RoleRecord(new_role_id(), name, tenant_id, created_at_ms=NOW_MS)
    await roles_store.insert_role(tx, project_id, record)
    known = await roles_store.permission_ids(tx, project_id, perms)
    for perm in perms:
        if perm not in known:
            known[perm] = new_permission_id()
            await roles_store.insert_permission(tx, project_id, PermissionRecord(known[perm], perm))
    await roles_store.set_role_permissions(tx, record.id, [known[perm] for perm in perms])
    return record.id


async def tenant(tx: Transaction, project_id: str, tenant_id: str, name: str) -> None:
    await tenants_store.insert_tenant(tx, project_id, TenantRecord(tenant_id, name, created_at_ms=NOW_MS))


async def test_grants_read_back_as_one_authorization(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction() as tx:
        admin = await role(tx, project.id, "admin", PROJECT_LEVEL, "users.write", "users.read")
        reader = await role(tx, project.id, "reader", PROJECT_LEVEL, "users.read")
        await tenant(tx, project.id, "acme", "Acme")
        await tenant(tx, project.id, "globex", "Globex")
        local = await role(tx, project.id, "local", "acme", "billing")
        await grants_store.grant_roles(tx, project.id, user.id, PROJECT_LEVEL, [admin, admin])
        await grants_store.join_tenant(tx, project.id, user.id, "acme", NOW_MS)
        await grants_store.join_tenant(tx, project.id, user.id, "globex", NOW_MS + 1)
        await grants_store.join_tenant(tx, project.id, user.id, "acme", NOW_MS + 2)  # already a member
        await grants_store.grant_roles(tx, project.id, user.id, "acme", [local, reader])
        authz = (await grants_store.authorizations(tx, [user.id, "K2nobody"]))[user.id]
        found = await users_store.find_by_id(tx, project.id, user.id)
    assert authz == Authorization(
        role_names=("admin",),
        permissions=("users.read", "users.write"),
        tenants=(
            TenantAccess("acme", "Acme", ("local", "reader"), ("billing", "users.read")),
            TenantAccess("globex", "Globex"),
        ),
    )
    assert found is not None
    assert found.authz == authz


async def test_a_tenant_role_wins_over_a_project_role_of_its_name(db: Database, project: Project) -> None:
    async with db.transaction() as tx:
        await tenant(tx, project.id, "acme", "Acme")
        project_role = await role(tx, project.id, "editor")
        tenant_role = await role(tx, project.id, "editor", "acme")
        assert await grants_store.role_ids(tx, project.id, PROJECT_LEVEL, ["editor", "ghost"]) == {
            "editor": project_role
        }
        assert await grants_store.role_ids(tx, project.id, "acme", ["editor"]) == {"editor": tenant_role}


async def test_a_membership_needs_an_existing_tenant(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await grants_store.join_tenant(tx, project.id, user.id, "no-such-tenant", NOW_MS)


async def test_set_revoke_and_leave(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction() as tx:
        a, b = await role(tx, project.id, "a"), await role(tx, project.id, "b")
        for tenant_id in ("t1", "t2", "t3"):
            await tenant(tx, project.id, tenant_id, tenant_id.upper())
            await grants_store.join_tenant(tx, project.id, user.id, tenant_id, NOW_MS)
            await grants_store.grant_roles(tx, project.id, user.id, tenant_id, [a])
        await grants_store.set_roles(tx, project.id, user.id, PROJECT_LEVEL, [a, b])
        await grants_store.revoke_roles(tx, user.id, PROJECT_LEVEL, [a])
        await grants_store.leave_tenant(tx, user.id, "t1")
        await grants_store.leave_other_tenants(tx, user.id, ["t2"])
        assert not await grants_store.is_member(tx, user.id, "t1")
        assert await grants_store.is_member(tx, user.id, "t2")
        assert await grants_store.existing_tenants(tx, project.id, ["t1", "t3", "nope"]) == {"t1", "t3"}
        authz = (await grants_store.authorizations(tx, [user.id]))[user.id]
        assert authz == Authorization(role_names=("b",), tenants=(TenantAccess("t2", "T2", ("a",)),))
        await grants_store.leave_other_tenants(tx, user.id, [])
        await grants_store.forget_principal(tx, user.id)
        assert (await grants_store.authorizations(tx, [user.id]))[user.id] == Authorization()
