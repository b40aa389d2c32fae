"""Projects and their management keys."""

from __future__ import annotations

from passgate.models.projects import Project, ProjectSettings
from passgate.storage.database import Row, Transaction
from passgate.storage.mapping import MS_AS_SECONDS, Column, RecordTable, as_is, insert_sql, model_of

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


_INSERT_MANAGEMENT_KEY = insert_sql("management_keys", ("id", "project_id", "key_hash", "name", "created_at"))


async def insert_management_key(
    tx: Transaction, *, key_id: str, project_id: str, key_hash: str, name: str, now_ms: int
) -> None:
    await tx.execute(
        _INSERT_MANAGEMENT_KEY,
        {"id": key_id, "project_id": project_id, "key_hash": key_hash, "name": name, "created_at": now_ms},
    )


async def find_active_management_key(tx: Transaction, key_hash: str) -> Row | None:
    """The unrevoked key row with this hash (``project_id`` included), if any."""
    return await tx.fetch_one(
        "SELECT id, project_id FROM management_keys WHERE key_hash = :h AND revoked_at IS NULL",
        {"h": key_hash},
    )


async def list_management_keys(tx: Transaction, project_id: str) -> list[Row]:
    """The project's keys, oldest first: ``id, name, created_at, revoked_at`` (never the hash)."""
    return await tx.fetch_all(
        "SELECT id, name, created_at, revoked_at FROM management_keys WHERE project_id = :p ORDER BY created_at, id",
        {"p": project_id},
    )


async def revoke_management_key(tx: Transaction, *, project_id: str, key_id: str, now_ms: int) -> bool:
    """Revoke the key if it is the project's; whether such a key exists (revoked before or now)."""
    await tx.execute(
        "UPDATE management_keys SET revoked_at = :now WHERE id = :id AND project_id = :p AND revoked_at IS NULL",
        {"now": now_ms, "id": key_id, "p": project_id},
    )
    row = await tx.fetch_one(
        "SELECT id FROM management_keys WHERE id = :id AND project_id = :p", {"id": key_id, "p": project_id}
    )
    return row is not None


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
