"""Projects and their management keys."""

from __future__ import annotations

from passgate.models import Project, ProjectSettings
from passgate.storage.database import Row, Transaction


def _project(row: Row) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        settings=ProjectSettings.model_validate_json(row["settings"]),
        created_at=row["created_at"] / 1000,
    )


async def insert_project(tx: Transaction, project: Project) -> None:
    await tx.execute(
        "INSERT INTO projects (id, name, settings, created_at) VALUES (:id, :name, :settings, :created_at)",
        {
            "id": project.id,
            "name": project.name,
            "settings": project.settings.model_dump_json(),
            "created_at": int(project.created_at * 1000),
        },
    )


async def get_project(tx: Transaction, project_id: str) -> Project | None:
    row = await tx.fetch_one("SELECT * FROM projects WHERE id = :id", {"id": project_id})
    return _project(row) if row else None


async def list_projects(tx: Transaction) -> list[Project]:
    return [_project(row) for row in await tx.fetch_all("SELECT * FROM projects ORDER BY created_at, id")]


async def insert_management_key(
    tx: Transaction, *, key_id: str, project_id: str, key_hash: str, name: str, now_ms: int
) -> None:
    await tx.execute(
        "INSERT INTO management_keys (id, project_id, key_hash, name, created_at)"
        " VALUES (:id, :project_id, :key_hash, :name, :now)",
        {"id": key_id, "project_id": project_id, "key_hash": key_hash, "name": name, "now": now_ms},
    )


async def find_active_management_key(tx: Transaction, key_hash: str) -> Row | None:
    """The unrevoked key row with this hash (``project_id`` included), if any."""
    return await tx.fetch_one(
        "SELECT id, project_id FROM management_keys WHERE key_hash = :h AND revoked_at IS NULL",
        {"h": key_hash},
    )
