"""Management of roles (contract §5.4): create, update (replace), delete, list, search.

A role is project-level or defined in one tenant (``tenant_id``); its name is unique in
that scope. Batches run in one transaction: all of them or none. Users hold roles by ID,
so a rename shows in ``roleNames`` and the JWT ``roles`` claim at the next load, and a
deleted role leaves every user and access key at once. Deleting a role that does not
exist succeeds (idempotent deletes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from passgate.auth.context import AuthContext
from passgate.errors import PermissionNotFound, RoleAlreadyExists, RoleNotFound, TenantNotFound
from passgate.identifiers import new_role_id
from passgate.mgmt.permissions import clean_name
from passgate.models.projects import Project
from passgate.models.roles import PROJECT_LEVEL, RoleRecord
from passgate.storage import roles_store, tenants_store
from passgate.storage.database import IntegrityViolation, Transaction


@dataclass(frozen=True)
class RoleFields:
    """What a create or an update sets; ``tenant_id`` '' is a project-level role."""

    name: str
    description: str = ""
    permission_names: tuple[str, ...] = ()
    tenant_id: str = PROJECT_LEVEL
    default: bool = False
    private: bool = False


@dataclass(frozen=True)
class RoleRef:
    """A role named by ID (preferred when given), or by name within ``tenant_id``."""

    name: str | None = None
    role_id: str | None = None
    tenant_id: str = PROJECT_LEVEL


@dataclass(frozen=True)
class RoleChange:
    ref: RoleRef
    fields: RoleFields  # ``fields.name`` is the new name


@dataclass(frozen=True)
class RoleSearch:
    """Filters, all optional and combined with AND; a list filter matches any of its values."""

    tenant_ids: tuple[str, ...] = ()
    include_project_roles: bool = False
    role_names: tuple[str, ...] = ()
    role_name_like: str = ""
    permission_names: tuple[str, ...] = ()
    role_ids: tuple[str, ...] = ()


async def create_roles(ctx: AuthContext, project: Project, roles: Sequence[RoleFields]) -> None:
    """Create all or none. ``RoleAlreadyExists`` if a name is taken in its scope (or repeated),
    ``TenantNotFound`` for an unknown tenant, ``PermissionNotFound`` for an unknown permission."""
    async with ctx.db.transaction() as tx:
        for fields in roles:
            await _create(tx, ctx, project, fields)


async def _create(tx: Transaction, ctx: AuthContext, project: Project, fields: RoleFields) -> None:
    name = clean_name(fields.name, "name")
    await _require_tenant(tx, project, fields.tenant_id)
    if await roles_store.find_role(tx, project.id, fields.tenant_id, name=name) is not None:
        raise RoleAlreadyExists(f"Role already exists: {name}")
    permission_ids = await _permission_ids(tx, project, fields.permission_names)
    role = RoleRecord(
        id=new_role_id(),
        name=name,
        tenant_id=fields.tenant_id,
        description=fields.description,
        default=fields.default,
        private=fields.private,
        created_at_ms=ctx.now_ms(),
    )
    try:
        await roles_store.insert_role(tx, project.id, role)
    except IntegrityViolation as exc:  # created concurrently
        raise RoleAlreadyExists(f"Role already exists: {name}") from exc
    await roles_store.set_role_permissions(tx, role.id, permission_ids)


async def update_roles(ctx: AuthContext, project: Project, changes: Sequence[RoleChange]) -> None:
    """Replace name, description, permissions and flags of each role; all or none.

    A role stays in its scope: ``tenant_id`` only locates it. ``RoleNotFound`` for an unknown
    role, ``RoleAlreadyExists`` if the new name belongs to another role of the scope.
    """
    async with ctx.db.transaction() as tx:
        for change in changes:
            await _update(tx, project, change)


async def _update(tx: Transaction, project: Project, change: RoleChange) -> None:
    current = await _find(tx, project, change.ref)
    if current is None:
        raise RoleNotFound(f"Role not found: {change.ref.role_id or change.ref.name}")
    new_name = clean_name(change.fields.name, "newName")
    holder = await roles_store.find_role(tx, project.id, current.tenant_id, name=new_name)
    if holder is not None and holder.id != current.id:
        raise RoleAlreadyExists(f"Role already exists: {new_name}")
    permission_ids = await _permission_ids(tx, project, change.fields.permission_names)
    updated = RoleRecord(
        id=current.id,
        name=new_name,
        tenant_id=current.tenant_id,
        description=change.fields.description,
        default=change.fields.default,
        private=change.fields.private,
        created_at_ms=current.created_at_ms,
    )
    try:
        await roles_store.update_role(tx, updated)
    except IntegrityViolation as exc:  # renamed concurrently
        raise RoleAlreadyExists(f"Role already exists: {new_name}") from exc
    await roles_store.set_role_permissions(tx, current.id, permission_ids)


async def delete_roles(ctx: AuthContext, project: Project, refs: Sequence[RoleRef]) -> None:
    """Delete them, and every grant of them; unknown ones are skipped."""
    async with ctx.db.transaction() as tx:
        for ref in refs:
            found = await _find(tx, project, ref)
            if found is not None:
                await roles_store.delete_role(tx, found.id)


async def load_all(ctx: AuthContext, project: Project) -> list[RoleRecord]:
    """Every role of the project (project-level and tenant-level), oldest first."""
    async with ctx.db.transaction(write=False) as tx:
        return await roles_store.list_roles(tx, project.id)


async def search(ctx: AuthContext, project: Project, search: RoleSearch) -> list[RoleRecord]:
    """The roles that pass every given filter.

    With ``tenant_ids``, only roles defined in those tenants (plus project-level roles if
    ``include_project_roles``); without, roles of every scope.
    """
    return [role for role in await load_all(ctx, project) if _matches(role, search)]


def _matches(role: RoleRecord, search: RoleSearch) -> bool:
    in_scope = not search.tenant_ids or role.tenant_id in search.tenant_ids
    if search.tenant_ids and search.include_project_roles and role.tenant_id == PROJECT_LEVEL:
        in_scope = True
    return (
        in_scope
        and (not search.role_names or role.name in search.role_names)
        and (not search.role_ids or role.id in search.role_ids)
        and search.role_name_like.casefold() in role.name.casefold()
        and (not search.permission_names or bool(set(search.permission_names) & set(role.permission_names)))
    )


async def _find(tx: Transaction, project: Project, ref: RoleRef) -> RoleRecord | None:
    if ref.role_id:
        found = await roles_store.find_role(tx, project.id, ref.tenant_id, role_id=ref.role_id)
        # a tenant given with an ID must be the role's own
        return found if found and ref.tenant_id in (PROJECT_LEVEL, found.tenant_id) else None
    name = clean_name(ref.name or "", "name")
    return await roles_store.find_role(tx, project.id, ref.tenant_id, name=name)


async def _require_tenant(tx: Transaction, project: Project, tenant_id: str) -> None:
    if tenant_id != PROJECT_LEVEL and await tenants_store.get_tenant(tx, project.id, tenant_id) is None:
        raise TenantNotFound(f"Tenant not found: {tenant_id}")


async def _permission_ids(tx: Transaction, project: Project, names: Sequence[str]) -> list[str]:
    """The IDs of the named permissions, in order; ``PermissionNotFound`` naming the missing."""
    ids = await roles_store.permission_ids(tx, project.id, names)
    missing = [name for name in names if name not in ids]
    if missing:
        raise PermissionNotFound(f"Permission not found: {', '.join(missing)}")
    return [ids[name] for name in names]
