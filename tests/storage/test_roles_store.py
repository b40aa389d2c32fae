"""Permissions and roles (``roles_store``): unique names per scope, permissions by reference."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.identifiers import new_permission_id, new_role_id
from passgate.models.projects import Project
from passgate.models.roles import PROJECT_LEVEL, PermissionRecord, RoleRecord
from passgate.models.tenants import TenantRecord
from passgate.storage import roles_store, tenants_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


async def stored_permission(db: Database, project_id: str, name: str, created_at_ms: int = NOW_MS) -> PermissionRecord:
    permission = PermissionRecord(new_permission_id(), name, f"may {name}", created_at_ms)
    async with db.transaction() as tx:
        await roles_store.insert_permission(tx, project_id, permission)
    return permission


async def stored_role(db: Database, project_id: str, name: str, tenant_id: str = PROJECT_LEVEL) -> RoleRecord:
    role = RoleRecord(new_role_id(), name, tenant_id, f"the {name}", default=True, private=True, created_at_ms=NOW_MS)
    async with db.transaction() as tx:
        await roles_store.insert_role(tx, project_id, role)
    return role


async def test_a_permission_reads_back_by_name_and_id(db: Database, project: Project) -> None:
    permission = await stored_permission(db, project.id, "users.read")
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await roles_store.find_permission(tx, project.id, name="users.read") == permission
        assert await roles_store.find_permission(tx, project.id, permission_id=permission.id) == permission
        assert await roles_store.find_permission(tx, other.id, name="users.read") is None


async def test_permission_names_are_unique_in_a_project(db: Database, project: Project) -> None:
    await stored_permission(db, project.id, "users.read")
    taken = await stored_permission(db, project.id, "users.write")
    with pytest.raises(IntegrityViolation):
        await stored_permission(db, project.id, "users.read")
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await roles_store.rename_permission(tx, taken.id, "users.read", "")
    await stored_permission(db, (await new_project(db)).id, "users.read")


async def test_permissions_list_oldest_first_and_rename(db: Database, project: Project) -> None:
    newer = await stored_permission(db, project.id, "b", NOW_MS + 1)
    older = await stored_permission(db, project.id, "a", NOW_MS)
    async with db.transaction() as tx:
        await roles_store.rename_permission(tx, newer.id, "c", "renamed")
        assert await roles_store.list_permissions(tx, project.id) == [
            older,
            replace(newer, name="c", description="renamed"),
        ]
        assert await roles_store.permission_ids(tx, project.id, ["a", "c", "zz"]) == {"a": older.id, "c": newer.id}


async def test_a_role_reads_back_with_its_permission_names(db: Database, project: Project) -> None:
    role = await stored_role(db, project.id, "admin")
    write, read = await stored_permission(db, project.id, "w"), await stored_permission(db, project.id, "r")
    async with db.transaction() as tx:
        await roles_store.set_role_permissions(tx, role.id, [write.id, read.id, write.id])
        found = await roles_store.find_role(tx, project.id, PROJECT_LEVEL, name="admin")
        assert found == replace(role, permission_names=("r", "w"))
        assert await roles_store.find_role(tx, project.id, PROJECT_LEVEL, role_id=role.id) == found
        await roles_store.set_role_permissions(tx, role.id, [read.id])
        assert await roles_store.list_roles(tx, project.id) == [replace(role, permission_names=("r",))]


async def test_role_names_are_unique_per_scope(db: Database, project: Project) -> None:
    async with db.transaction() as tx:
        await tenants_store.insert_tenant(tx, project.id, TenantRecord("acme", "Acme"))
    await stored_role(db, project.id, "editor")
    tenant_role = await stored_role(db, project.id, "editor", "acme")  # the same name in a tenant is another role
    with pytest.raises(IntegrityViolation):
        await stored_role(db, project.id, "editor")
    async with db.transaction(write=False) as tx:
        assert await roles_store.find_role(tx, project.id, "acme", name="editor") == tenant_role


async def test_update_and_delete(db: Database, project: Project) -> None:
    role, other = await stored_role(db, project.id, "a"), await stored_role(db, project.id, "b")
    permission = await stored_permission(db, project.id, "p")
    changed = replace(role, name="a2", description="", default=False, private=False, tenant_id="ignored")
    async with db.transaction() as tx:
        await roles_store.set_role_permissions(tx, role.id, [permission.id])
        await roles_store.update_role(tx, changed)
        assert await roles_store.find_role(tx, project.id, PROJECT_LEVEL, role_id=role.id) == replace(
            changed, tenant_id=PROJECT_LEVEL, permission_names=("p",)
        )
        await roles_store.delete_permission(tx, permission.id)  # roles lose it
        assert await roles_store.find_role(tx, project.id, PROJECT_LEVEL, name="a2") == replace(
            changed, tenant_id=PROJECT_LEVEL
        )
        await roles_store.delete_role(tx, role.id)
        assert await roles_store.list_roles(tx, project.id) == [other]
    third = await stored_role(db, project.id, "c")
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await roles_store.update_role(tx, replace(other, name=third.name))
