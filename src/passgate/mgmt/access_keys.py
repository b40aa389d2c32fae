"""Managing access keys (contract §5.5): create, load, search, update, activate and
deactivate, rotate, delete.

A key's cleartext is returned by create and rotate only; the form and the hashing are
the exchange's (``auth/access_keys``). Roles and tenants are granted like a user's, with
the key ID as the principal. Every call acting on several keys is all-or-nothing: one
unknown ID refuses the whole call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from passgate.auth.access_keys import new_cleartext, permitted_ips, secret_hash
from passgate.auth.claims import checked_custom_claims
from passgate.auth.context import AuthContext
from passgate.errors import AccessKeyNotFound, InvalidArgument, ManagedUserNotFound
from passgate.identifiers import new_key_id
from passgate.mgmt import grants
from passgate.mgmt.grants import TenantRoles
from passgate.models.access_keys import ACTIVE, INACTIVE, AccessKeyRecord
from passgate.models.projects import Project
from passgate.storage import access_keys_store, users_store
from passgate.storage.database import Transaction


@dataclass(frozen=True)
class NewAccessKey:
    """What create asks for. ``expire_time`` is unix seconds, 0 = never; with ``user_id`` the
    key acts with that user's authorization instead of its own roles and tenants."""

    name: str
    expire_time: int = 0
    role_names: tuple[str, ...] = ()
    tenants: tuple[TenantRoles, ...] = ()
    user_id: str = ""
    custom_claims: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    permitted_ips: tuple[str, ...] = ()
    custom_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessKeyChanges:
    """What update changes: the name always, each other field only if given."""

    name: str
    description: str | None = None
    custom_claims: dict[str, Any] | None = None
    permitted_ips: tuple[str, ...] | None = None
    custom_attributes: dict[str, Any] | None = None


@dataclass(frozen=True)
class AccessKeySearch:
    """Search filters; each one given narrows the result."""

    tenant_ids: tuple[str, ...] = ()
    bound_user_id: str = ""
    created_by: str = ""
    custom_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedAccessKey:
    key: AccessKeyRecord
    cleartext: str  # shown once


async def create_access_key(
    ctx: AuthContext, project: Project, new: NewAccessKey, *, created_by: str
) -> CreatedAccessKey:
    """A new active key and its cleartext. ``RoleNotFound``/``TenantNotFound`` for unknown
    roles or tenants, ``ManagedUserNotFound`` for an unknown bound user."""
    now_ms = ctx.now_ms()
    if new.expire_time < 0 or (new.expire_time and new.expire_time * 1000 <= now_ms):
        raise InvalidArgument("expireTime must be 0 (never) or a future unix time in seconds")
    key_id = new_key_id()
    cleartext = new_cleartext(key_id)
    record = AccessKeyRecord(
        id=key_id,
        project_id=project.id,
        name=new.name,
        secret_hash=secret_hash(ctx.secrets, key_id, cleartext),
        status=ACTIVE,
        expires_at_ms=new.expire_time * 1000,
        created_by=created_by,
        client_id="",
        bound_user_id=new.user_id,
        custom_claims=checked_custom_claims(new.custom_claims),
        description=new.description,
        permitted_ips=permitted_ips(new.permitted_ips),
        custom_attributes=new.custom_attributes,
        created_at_ms=now_ms,
        modified_at_ms=now_ms,
    )
    async with ctx.db.transaction() as tx:
        if new.user_id and await users_store.find_by_id(tx, project.id, new.user_id) is None:
            raise ManagedUserNotFound(f"No user {new.user_id[:64]}")
        await access_keys_store.insert(tx, record)
        await grants.set_project_roles(tx, project.id, key_id, new.role_names)
        await grants.set_tenants(tx, project.id, key_id, new.tenants, now_ms, leave_others=False)
        created = await access_keys_store.find(tx, project.id, key_id)
    assert created is not None
    return CreatedAccessKey(key=created, cleartext=cleartext)


async def load_access_key(ctx: AuthContext, project: Project, key_id: str) -> AccessKeyRecord:
    """The key, or ``AccessKeyNotFound``."""
    async with ctx.db.transaction(write=False) as tx:
        return await _existing(tx, project, key_id)


async def _existing(tx: Transaction, project: Project, key_id: str) -> AccessKeyRecord:
    key = await access_keys_store.find(tx, project.id, key_id)
    if key is None:
        raise AccessKeyNotFound(f"No access key {key_id[:64]}")
    return key


async def search_access_keys(ctx: AuthContext, project: Project, search: AccessKeySearch) -> list[AccessKeyRecord]:
    """The project's keys matching every filter given, oldest first."""
    async with ctx.db.transaction(write=False) as tx:
        keys = await access_keys_store.search(
            tx,
            project.id,
            tenant_ids=search.tenant_ids,
            bound_user_id=search.bound_user_id,
            created_by=search.created_by,
        )
    return [key for key in keys if _attributes_match(key.custom_attributes, search.custom_attributes)]


def _attributes_match(have: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Each wanted attribute equals the key's, or (given a list) the key's is one of them."""
    return all(
        have.get(name) == value or (isinstance(value, list) and have.get(name) in value)
        for name, value in wanted.items()
    )


async def update_access_key(ctx: AuthContext, project: Project, key_id: str, changes: AccessKeyChanges) -> None:
    """Rename the key and replace whichever other fields ``changes`` gives."""
    ips = permitted_ips(changes.permitted_ips) if changes.permitted_ips is not None else None
    claims = checked_custom_claims(changes.custom_claims) if changes.custom_claims is not None else None
    async with ctx.db.transaction() as tx:
        key = await _existing(tx, project, key_id)
        updated = dataclasses.replace(
            key,
            name=changes.name,
            description=key.description if changes.description is None else changes.description,
            custom_claims=key.custom_claims if claims is None else claims,
            permitted_ips=key.permitted_ips if ips is None else ips,
            custom_attributes=key.custom_attributes if changes.custom_attributes is None else changes.custom_attributes,
            modified_at_ms=ctx.now_ms(),
        )
        await access_keys_store.save(tx, updated)


async def set_active(ctx: AuthContext, project: Project, key_ids: Sequence[str], active: bool) -> None:
    """Activate or deactivate the keys; an inactive key cannot be exchanged until reactivated."""
    async with ctx.db.transaction() as tx:
        await _require_all(tx, project, key_ids)
        await access_keys_store.set_status(tx, project.id, key_ids, ACTIVE if active else INACTIVE, ctx.now_ms())


async def delete_access_keys(ctx: AuthContext, project: Project, key_ids: Sequence[str]) -> None:
    """Delete the keys for good, with their roles and tenant memberships."""
    async with ctx.db.transaction() as tx:
        await _require_all(tx, project, key_ids)
        await access_keys_store.delete(tx, project.id, key_ids)


async def _require_all(tx: Transaction, project: Project, key_ids: Sequence[str]) -> None:
    found = await access_keys_store.existing_ids(tx, project.id, key_ids)
    missing = [key_id for key_id in key_ids if key_id not in found]
    if missing:
        raise AccessKeyNotFound(f"No access key {missing[0][:64]}")


async def rotate_access_key(ctx: AuthContext, project: Project, key_id: str) -> CreatedAccessKey:
    """A new secret for the key (all else kept); the old secret stops working at commit."""
    cleartext = new_cleartext(key_id)
    async with ctx.db.transaction() as tx:
        key = await _existing(tx, project, key_id)
        rotated = dataclasses.replace(
            key, secret_hash=secret_hash(ctx.secrets, key_id, cleartext), modified_at_ms=ctx.now_ms()
        )
        await access_keys_store.save(tx, rotated)
    return CreatedAccessKey(key=rotated, cleartext=cleartext)
