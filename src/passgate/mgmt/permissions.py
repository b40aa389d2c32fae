"""Management of permissions (contract §5.4): create, rename, delete, list; batches are atomic.

Roles name their permissions by ID, so a rename shows in every role and, at the next
session or refresh, in every user's ``permissions`` claim. Deleting a permission removes it
from every role. Deleting one that does not exist succeeds (idempotent deletes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from passgate.auth.context import AuthContext
from passgate.errors import MissingArgument, PermissionAlreadyExists, PermissionNotFound
from passgate.identifiers import new_permission_id
from passgate.models.projects import Project
from passgate.models.roles import PermissionRecord
from passgate.storage import roles_store
from passgate.storage.database import IntegrityViolation, Transaction


@dataclass(frozen=True)
class NewPermission:
    name: str
    description: str = ""


@dataclass(frozen=True)
class PermissionRef:
    """A permission named by ID (preferred when given) or by name."""

    name: str | None = None
    permission_id: str | None = None


@dataclass(frozen=True)
class PermissionChange:
    ref: PermissionRef
    new_name: str
    description: str = ""


def clean_name(name: str, what: str) -> str:
    """``name`` without surrounding blanks; ``MissingArgument`` if nothing is left."""
    cleaned = name.strip()
    if not cleaned:
        raise MissingArgument(f"Missing field: {what}")
    return cleaned


async def create_permissions(ctx: AuthContext, project: Project, permissions: Sequence[NewPermission]) -> None:
    """Create all of them or none; ``PermissionAlreadyExists`` if a name is taken (or repeated)."""
    async with ctx.db.transaction() as tx:
        for permission in permissions:
            await _create(tx, ctx, project, permission)


async def _create(tx: Transaction, ctx: AuthContext, project: Project, permission: NewPermission) -> None:
    name = clean_name(permission.name, "name")
    if await roles_store.find_permission(tx, project.id, name=name) is not None:
        raise PermissionAlreadyExists(f"Permission already exists: {name}")
    record = PermissionRecord(new_permission_id(), name, permission.description, ctx.now_ms())
    try:
        await roles_store.insert_permission(tx, project.id, record)
    except IntegrityViolation as exc:  # created concurrently
        raise PermissionAlreadyExists(f"Permission already exists: {name}") from exc


async def update_permissions(ctx: AuthContext, project: Project, changes: Sequence[PermissionChange]) -> None:
    """Rename and re-describe (description replaced, '' if not given); all or none.

    ``PermissionNotFound`` for an unknown permission, ``PermissionAlreadyExists`` if the new
    name belongs to another permission.
    """
    async with ctx.db.transaction() as tx:
        for change in changes:
            await _update(tx, project, change)


async def _update(tx: Transaction, project: Project, change: PermissionChange) -> None:
    current = await _existing(tx, project, change.ref)
    new_name = clean_name(change.new_name, "newName")
    holder = await roles_store.find_permission(tx, project.id, name=new_name)
    if holder is not None and holder.id != current.id:
        raise PermissionAlreadyExists(f"Permission already exists: {new_name}")
    try:
        await roles_store.rename_permission(tx, current.id, new_name, change.description)
    except IntegrityViolation as exc:  # renamed concurrently
        raise PermissionAlreadyExists(f"Permission already exists: {new_name}") from exc


async def _existing(tx: Transaction, project: Project, ref: PermissionRef) -> PermissionRecord:
    found = await _find(tx, project, ref)
    if found is None:
        raise PermissionNotFound(f"Permission not found: {ref.permission_id or ref.name}")
    return found


async def _find(tx: Transaction, project: Project, ref: PermissionRef) -> PermissionRecord | None:
    if ref.permission_id:
        return await roles_store.find_permission(tx, project.id, permission_id=ref.permission_id)
    return await roles_store.find_permission(tx, project.id, name=clean_name(ref.name or "", "name"))


async def delete_permissions(ctx: AuthContext, project: Project, refs: Sequence[PermissionRef]) -> None:
    """Delete them (and take them out of every role); unknown ones are skipped."""
    async with ctx.db.transaction() as tx:
        for ref in refs:
            found = await _find(tx, project, ref)
            if found is not None:
                await roles_store.delete_permission(tx, found.id)


async def load_all(ctx: AuthContext, project: Project) -> list[PermissionRecord]:
    """Every permission of the project, oldest first."""
    async with ctx.db.transaction(write=False) as tx:
        return await roles_store.list_permissions(tx, project.id)
