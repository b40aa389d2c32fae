"""Projects and their settings (their management keys: ``management_keys_store``)."""

from __future__ import annotations

from passgate.models.projects import Project, ProjectSettings
from passgate.storage.database import Transaction
from passgate.storage.mapping import MS_AS_SECONDS, Column, RecordTable, as_is, model_of

PROJECTS = RecordTable(
    "projects",
    Project,
    (
        *as_is("id", "name"),
        Column("settings", conversion=model_of(ProjectSettings)),
        Column("created_at", conversion=MS_AS_SECONDS),
    ),
)
_INSERT_PROJECT = PROJECTS.insert_sql()


async def insert_project(tx: Transaction, project: Project) -> None:
    await tx.execute(_INSERT_PROJECT, PROJECTS.params_of(project))


async def get_project(tx: Transaction, project_id: str) -> Project | None:
    row = await tx.fetch_one("SELECT * FROM projects WHERE id = :id", {"id": project_id})
    return PROJECTS.from_row(row) if row else None


async def list_projects(tx: Transaction) -> list[Project]:
    return [PROJECTS.from_row(row) for row in await tx.fetch_all("SELECT * FROM projects ORDER BY created_at, id")]


async def lock_project(tx: Transaction, project_id: str) -> Project | None:
    """The project, its row locked until the transaction ends (a no-op write takes the lock
    on PostgreSQL; SQLite's write transactions are already exclusive)."""
    await tx.execute("UPDATE projects SET settings = settings WHERE id = :id", {"id": project_id})
    return await get_project(tx, project_id)


async def update_settings(tx: Transaction, project_id: str, settings: ProjectSettings) -> None:
    await tx.execute(
        "UPDATE projects SET settings = :settings WHERE id = :id",
        {"settings": settings.model_dump_json(), "id": project_id},
    )
