"""Management keys: a project's administrative credentials, from the CLI and the API.

A key is a 256-bit random string (``pgk_…``), shown once and stored as its SHA-256 digest:
it has full entropy, so a fast unkeyed hash is enough to make a stolen table useless. A
key may be inactive, expire, or be limited to some addresses; deleting (revoking) a key is
final. Every key has full management access to its own project: Descope's role assignment
(``reBac``) is kept and shown as given but grants nothing narrower.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from passgate.auth.access_keys import ip_permitted, permitted_ips
from passgate.clock import Clock
from passgate.errors import InvalidArgument, InvalidManagementKey, ManagementKeyNotFound, ProjectNotFound
from passgate.identifiers import new_key_id, new_management_key
from passgate.models.management_keys import ACTIVE, INACTIVE, ManagementKeyRecord
from passgate.storage import management_keys_store, projects_store
from passgate.storage.database import Database, Transaction

_MAX_KEY_NAME = 200  # the column's width


@dataclass(frozen=True)
class NewManagementKey:
    name: str
    description: str = ""
    expires_in_seconds: int = 0  # 0 = never
    permitted_ips: tuple[str, ...] = ()
    rebac: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedManagementKey:
    key: ManagementKeyRecord
    management_key: str  # cleartext, shown once


@dataclass(frozen=True)
class ManagementKeyChanges:
    """An update: every field replaces the stored one (Descope's update overrides all)."""

    name: str
    description: str
    permitted_ips: tuple[str, ...]
    status: str  # active | inactive


def hash_management_key(cleartext: str) -> str:
    return hashlib.sha256(cleartext.encode()).hexdigest()


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > _MAX_KEY_NAME:
        raise InvalidArgument(f"A management key name is 1 to {_MAX_KEY_NAME} characters")
    return name


async def insert_management_key(
    tx: Transaction, project_id: str, new: NewManagementKey, now_ms: int
) -> CreatedManagementKey:
    """Store a new active key of the project in the caller's transaction; its cleartext is returned once."""
    if new.expires_in_seconds < 0:
        raise InvalidArgument("expiresIn must not be negative")
    cleartext = new_management_key()
    key = ManagementKeyRecord(
        id=new_key_id(),
        project_id=project_id,
        key_hash=hash_management_key(cleartext),
        name=_checked_name(new.name),
        created_at_ms=now_ms,
        description=new.description,
        expires_at_ms=now_ms + new.expires_in_seconds * 1000 if new.expires_in_seconds else 0,
        permitted_ips=permitted_ips(new.permitted_ips),
        rebac=new.rebac,
    )
    await management_keys_store.insert(tx, key)
    return CreatedManagementKey(key=key, management_key=cleartext)


async def create_management_key(
    db: Database, clock: Clock, *, project_id: str, new: NewManagementKey
) -> CreatedManagementKey:
    """A new key of the project, usable at once; its cleartext is returned once."""
    async with db.transaction() as tx:
        if await projects_store.get_project(tx, project_id) is None:
            raise ProjectNotFound(f"No project {project_id}")
        return await insert_management_key(tx, project_id, new, int(clock.now() * 1000))


async def list_management_keys(db: Database, project_id: str, *, revoked_too: bool = True) -> list[ManagementKeyRecord]:
    """The project's keys, oldest first (revoked ones unless ``revoked_too`` is false)."""
    async with db.transaction(write=False) as tx:
        if await projects_store.get_project(tx, project_id) is None:
            raise ProjectNotFound(f"No project {project_id}")
        return await management_keys_store.list_keys(tx, project_id, revoked_too=revoked_too)


async def load_management_key(db: Database, project_id: str, key_id: str) -> ManagementKeyRecord:
    """The project's unrevoked key ``key_id``; ``ManagementKeyNotFound`` otherwise."""
    async with db.transaction(write=False) as tx:
        return await _live_key(tx, project_id, key_id)


async def _live_key(tx: Transaction, project_id: str, key_id: str) -> ManagementKeyRecord:
    key = await management_keys_store.find(tx, project_id, key_id)
    if key is None or key.revoked_at_ms is not None:
        raise ManagementKeyNotFound(f"No management key {key_id[:64]} in the project")
    return key


async def update_management_key(
    db: Database, project_id: str, key_id: str, changes: ManagementKeyChanges
) -> ManagementKeyRecord:
    """Replace the key's name, description, permitted IPs and status; the key after it.
    An inactive key is refused from its next call until it is made active again."""
    if changes.status not in (ACTIVE, INACTIVE):
        raise InvalidArgument(f"status must be {ACTIVE} or {INACTIVE}")
    async with db.transaction() as tx:
        key = replace(
            await _live_key(tx, project_id, key_id),
            name=_checked_name(changes.name),
            description=changes.description,
            permitted_ips=permitted_ips(changes.permitted_ips),
            status=changes.status,
        )
        await management_keys_store.save(tx, key)
    return key


async def delete_management_keys(db: Database, clock: Clock, project_id: str, key_ids: Sequence[str]) -> int:
    """Revoke the project's keys among ``key_ids`` for good; how many were live (unknown
    IDs are skipped, as Descope's delete reports a total)."""
    async with db.transaction() as tx:
        return await management_keys_store.revoke(tx, project_id, key_ids, int(clock.now() * 1000))


async def revoke_management_key(db: Database, clock: Clock, *, project_id: str, key_id: str) -> None:
    """Revoke the key: the next management call made with it fails (keys are checked on every
    call, never cached). Revoking a revoked key does nothing; ``ManagementKeyNotFound`` if the
    project has no such key."""
    async with db.transaction() as tx:
        if await management_keys_store.find(tx, project_id, key_id) is None:
            raise ManagementKeyNotFound(f"No management key {key_id} in project {project_id}")
        await management_keys_store.revoke(tx, project_id, [key_id], int(clock.now() * 1000))


async def authenticate_management_key(
    db: Database, project_id: str, cleartext: str | None, *, ip: str, now_ms: int
) -> str:
    """The key's ID if it is an unrevoked, active, unexpired key of this very project and
    ``ip`` is among its permitted addresses; ``InvalidManagementKey`` otherwise (the reason
    is given only once the key itself matched)."""
    if not cleartext:
        raise InvalidManagementKey("A management key is required (Authorization: Bearer <projectId>:<managementKey>)")
    async with db.transaction(write=False) as tx:
        key = await management_keys_store.find_by_hash(tx, hash_management_key(cleartext))
    # compare_digest: the lookup is by digest, but keep the project check free of timing hints
    if key is None or not hmac.compare_digest(key.project_id, project_id):
        raise InvalidManagementKey()
    if key.status != ACTIVE:
        raise InvalidManagementKey("The management key is inactive")
    if key.expires_at_ms and key.expires_at_ms <= now_ms:
        raise InvalidManagementKey("The management key has expired")
    if not ip_permitted(ip, key.permitted_ips):
        raise InvalidManagementKey("The management key may not be used from this address")
    return key.id
