"""Progress of streamed user imports (``user_imports``): per project and file, the lines
committed so far, written in each batch's own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.storage.database import Transaction


@dataclass(frozen=True)
class ImportProgress:
    lines_done: int = 0
    imported: int = 0
    failed: int = 0


async def progress(tx: Transaction, project_id: str, file_digest: str) -> ImportProgress:
    row = await tx.fetch_one(
        "SELECT lines_done, imported, failed FROM user_imports WHERE project_id = :p AND file_digest = :d",
        {"p": project_id, "d": file_digest},
    )
    return ImportProgress(int(row["lines_done"]), int(row["imported"]), int(row["failed"])) if row else ImportProgress()


async def advance(
    tx: Transaction, project_id: str, file_digest: str, lines_done: int, imported: int, failed: int, now_ms: int
) -> None:
    """Record that the file's lines up to ``lines_done`` are committed, with the batch's
    imported and failed users added to the totals."""
    await tx.execute(
        "INSERT INTO user_imports (project_id, file_digest, lines_done, imported, failed, updated_at)"
        " VALUES (:p, :d, :n, :i, :f, :now)"
        " ON CONFLICT (project_id, file_digest) DO UPDATE SET lines_done = :n,"
        " imported = user_imports.imported + :i, failed = user_imports.failed + :f, updated_at = :now",
        {"p": project_id, "d": file_digest, "n": lines_done, "i": imported, "f": failed, "now": now_ms},
    )
