"""Projects and their signing keys (their management keys: ``mgmt/management_keys.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.auth import oauth_secrets
from passgate.auth.keyring import create_signing_key
from passgate.clock import Clock
from passgate.crypto.sealing import Secrets
from passgate.errors import ProjectNotFound
from passgate.identifiers import new_project_id
from passgate.mgmt.management_keys import NewManagementKey, insert_management_key
from passgate.models.keys import Algorithm
from passgate.models.projects import Project, ProjectSettings
from passgate.storage import keys_store, projects_store
from passgate.storage.database import Database


@dataclass(frozen=True)
class CreatedProject:
    project: Project
    management_key: str  # cleartext, shown once


async def create_project(
    db: Database, secrets: Secrets, clock: Clock, *, name: str, settings: ProjectSettings | None = None
) -> CreatedProject:
    """A new project with its first signing key and management key, in one transaction."""
    now = clock.now()
    now_ms = int(now * 1000)
    project_id = new_project_id()
    sealed = oauth_secrets.sealed_settings(secrets, project_id, settings or ProjectSettings())
    project = Project(id=project_id, name=name, settings=sealed, created_at=now)
    async with db.transaction() as tx:
        await projects_store.insert_project(tx, project)
        await create_signing_key(tx, secrets, project_id=project.id, alg=project.settings.jwt_algorithm, now_ms=now_ms)
        key = await insert_management_key(tx, project.id, NewManagementKey(name="default"), now_ms)
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
