"""Projects and management keys.

Management keys are shown once and stored as SHA-256 digests: they are 256-bit random
strings, so a fast unkeyed hash is enough to make a stolen table useless.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from passgate.auth.keyring import create_signing_key
from passgate.clock import Clock
from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidArgument, InvalidManagementKey, ManagementKeyNotFound, ProjectNotFound
from passgate.identifiers import new_key_id, new_management_key, new_project_id
from passgate.models.keys import Algorithm
from passgate.models.projects import Project, ProjectSettings
from passgate.storage import keys_store, projects_store
from passgate.storage.database import Database, Transaction


@dataclass(frozen=True)
class CreatedProject:
    project: Project
    management_key: str  # cleartext, shown once


_MAX_KEY_NAME = 200  # the column's width


def hash_management_key(cleartext: str) -> str:
    return hashlib.sha256(cleartext.encode()).hexdigest()


async def create_project(
    db: Database, secrets: Secrets, clock: Clock, *, name: str, settings: ProjectSettings | None = None
) -> CreatedProject:
    """A new project with its first signing key and management key, in one transaction."""
    now = clock.now()
    now_ms = int(now * 1000)
    project = Project(id=new_project_id(), name=name, settings=settings or ProjectSettings(), created_at=now)
    async with db.transaction() as tx:
        await projects_store.insert_project(tx, project)
        await create_signing_key(tx, secrets, project_id=project.id, alg=project.settings.jwt_algorithm, now_ms=now_ms)
        key = await _insert_management_key(tx, project.id, "default", now_ms)
    return CreatedProject(project=project, management_key=key.management_key)


async def list_projects(db: Database) -> list[Project]:
    async with db.transaction(write=False) as tx:
        return await projects_store.list_projects(tx)


async def get_project(db: Database, project_id: str) -> Project:
    """The project as stored now (no cache); ``ProjectNotFound`` if there is none."""
    async with db.transaction(write=False) as tx:
        project = await projects_store.get_project(tx, project_id)
    if project is None:
        raise ProjectNotFound(f"No project {project_id}")
    return project


@dataclass(frozen=True)
class CreatedManagementKey:
    id: str
    name: str
    management_key: str  # cleartext, shown once


@dataclass(frozen=True)
class ManagementKeyInfo:
    """What may be shown of a management key: never the key nor its digest."""

    id: str
    name: str
    created_at: float
    revoked_at: float | None


async def _insert_management_key(tx: Transaction, project_id: str, name: str, now_ms: int) -> CreatedManagementKey:
    cleartext = new_management_key()
    key_id = new_key_id()
    await projects_store.insert_management_key(
        tx, key_id=key_id, project_id=project_id, key_hash=hash_management_key(cleartext), name=name, now_ms=now_ms
    )
    return CreatedManagementKey(id=key_id, name=name, management_key=cleartext)


async def create_management_key(db: Database, clock: Clock, *, project_id: str, name: str) -> CreatedManagementKey:
    """A new management key of the project, usable at once; its cleartext is returned once."""
    name = name.strip()
    if not name or len(name) > _MAX_KEY_NAME:
        raise InvalidArgument(f"A management key name is 1 to {_MAX_KEY_NAME} characters")
    async with db.transaction() as tx:
        if await projects_store.get_project(tx, project_id) is None:
            raise ProjectNotFound(f"No project {project_id}")
        return await _insert_management_key(tx, project_id, name, int(clock.now() * 1000))


async def list_management_keys(db: Database, project_id: str) -> list[ManagementKeyInfo]:
    """The project's management keys, oldest first, revoked ones included."""
    async with db.transaction(write=False) as tx:
        if await projects_store.get_project(tx, project_id) is None:
            raise ProjectNotFound(f"No project {project_id}")
        rows = await projects_store.list_management_keys(tx, project_id)
    return [
        ManagementKeyInfo(
            id=row["id"],
            name=row["name"],
            created_at=row["created_at"] / 1000,
            revoked_at=row["revoked_at"] / 1000 if row["revoked_at"] is not None else None,
        )
        for row in rows
    ]


async def revoke_management_key(db: Database, clock: Clock, *, project_id: str, key_id: str) -> None:
    """Revoke the key: the next management call made with it fails (keys are checked on every
    call, never cached). Revoking a revoked key does nothing; ``ManagementKeyNotFound`` if the
    project has no such key."""
    async with db.transaction() as tx:
        found = await projects_store.revoke_management_key(
            tx, project_id=project_id, key_id=key_id, now_ms=int(clock.now() * 1000)
        )
    if not found:
        raise ManagementKeyNotFound(f"No management key {key_id} in project {project_id}")


async def authenticate_management_key(db: Database, project_id: str, cleartext: str | None) -> str:
    """The key's ID if it is an unrevoked key of this very project; ``InvalidManagementKey`` otherwise."""
    if not cleartext:
        raise InvalidManagementKey("A management key is required (Authorization: Bearer <projectId>:<managementKey>)")
    async with db.transaction(write=False) as tx:
        row = await projects_store.find_active_management_key(tx, hash_management_key(cleartext))
    # compare_digest: the lookup is by digest, but keep the project check free of timing hints
    if row is None or not hmac.compare_digest(row["project_id"], project_id):
        raise InvalidManagementKey()
    return str(row["id"])


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    alg: str
    status: str
    created_at: float
    activate_at: float | None
    retired_at: float | None


async def rotate_signing_key(
    db: Database,
    secrets: Secrets,
    clock: Clock,
    *,
    project_id: str,
    alg: Algorithm | None = None,
    publish_seconds: float = 600,
) -> str:
    """Add the project's next signing key: published now, signing after ``publish_seconds``.

    Replaces a next key that was not yet promoted. The algorithm defaults to the project's.
    """
    async with db.transaction() as tx:
        project = await projects_store.get_project(tx, project_id)
        if project is None:
            raise ProjectNotFound(f"No project {project_id}")
        await keys_store.drop_pending(tx, project_id)
        now_ms = int(clock.now() * 1000)
        return await create_signing_key(
            tx,
            secrets,
            project_id=project_id,
            alg=alg or project.settings.jwt_algorithm,
            now_ms=now_ms,
            status="next",
            activate_at_ms=now_ms + int(publish_seconds * 1000),
        )


async def list_keys(db: Database, project_id: str) -> list[KeyInfo]:
    async with db.transaction(write=False) as tx:
        rows = await keys_store.all_keys(tx, project_id)

    def seconds(value: int | None) -> float | None:
        return value / 1000 if value is not None else None

    return [
        KeyInfo(
            kid=row["kid"],
            alg=row["alg"],
            status=row["status"],
            created_at=row["created_at"] / 1000,
            activate_at=seconds(row["activate_at"]),
            retired_at=seconds(row["retired_at"]),
        )
        for row in rows
    ]
