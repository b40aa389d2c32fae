"""Users' passwords (``passwords``) and their earlier hashes (``password_history``).

Hashes are stored as given (``crypto/password_hashes.py`` makes and reads them); nothing here
hashes or compares a password.
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import BOOL, Column, RecordTable, as_is


@dataclass(frozen=True)
class PasswordRow:
    """A user's password: its stored hash, whether it must be changed before the next sign-in,
    when it was set, and the wrong tries since the last right one."""

    user_id: str
    project_id: str
    hash: str
    must_change: bool
    set_at_ms: int
    failed_attempts: int


PASSWORDS = RecordTable(
    "passwords",
    PasswordRow,
    (
        *as_is("user_id", "project_id", "hash"),
        Column("must_change", conversion=BOOL),
        Column("set_at", "set_at_ms"),
        Column("failed_attempts"),
    ),
)
_INSERT = PASSWORDS.insert_sql()


async def of_user(tx: Transaction, user_id: str) -> PasswordRow | None:
    row = await tx.fetch_one("SELECT * FROM passwords WHERE user_id = :u", {"u": user_id})
    return PASSWORDS.from_row(row) if row else None


async def of_users(tx: Transaction, user_ids: list[str]) -> dict[str, PasswordRow]:
    """The passwords of those of ``user_ids`` that have one, by user ID."""
    placeholders, params = in_list("u", user_ids)
    rows = await tx.fetch_all(f"SELECT * FROM passwords WHERE user_id IN {placeholders}", params)
    return {row["user_id"]: PASSWORDS.from_row(row) for row in rows}


async def put(tx: Transaction, row: PasswordRow, history_depth: int) -> None:
    """Make ``row`` the user's password; the one it replaces joins the history, which keeps the
    newest ``history_depth`` earlier hashes (none when the policy checks no reuse)."""
    previous = await of_user(tx, row.user_id)
    await tx.execute("DELETE FROM passwords WHERE user_id = :u", {"u": row.user_id})
    await tx.execute(_INSERT, PASSWORDS.params_of(row))
    if previous is not None and history_depth:
        await tx.execute(
            "INSERT INTO password_history (user_id, set_at, hash) VALUES (:u, :at, :h) ON CONFLICT DO NOTHING",
            {"u": row.user_id, "at": previous.set_at_ms, "h": previous.hash},
        )
    await _trim_history(tx, row.user_id, history_depth)


async def insert_many(tx: Transaction, rows: list[PasswordRow]) -> None:
    """Insert the passwords of new users (an import), batched."""
    await tx.execute_many(_INSERT, [PASSWORDS.params_of(row) for row in rows])


async def history(tx: Transaction, user_id: str, depth: int) -> list[str]:
    """The newest ``depth`` earlier hashes of the user, newest first."""
    if depth <= 0:
        return []
    rows = await tx.fetch_all(
        "SELECT hash FROM password_history WHERE user_id = :u ORDER BY set_at DESC LIMIT :n", {"u": user_id, "n": depth}
    )
    return [row["hash"] for row in rows]


async def _trim_history(tx: Transaction, user_id: str, depth: int) -> None:
    await tx.execute(
        "DELETE FROM password_history WHERE user_id = :u AND set_at NOT IN"
        " (SELECT set_at FROM password_history WHERE user_id = :u ORDER BY set_at DESC LIMIT :n)",
        {"u": user_id, "n": max(depth, 0)},
    )


async def replace_hash(tx: Transaction, user_id: str, old: str, new: str) -> bool:
    """Store ``new`` in place of ``old`` (a rehash); ``False`` if the password changed meanwhile."""
    changed = await tx.execute(
        "UPDATE passwords SET hash = :new WHERE user_id = :u AND hash = :old", {"u": user_id, "old": old, "new": new}
    )
    return changed == 1


async def count_wrong(tx: Transaction, user_id: str) -> int:
    """Count one wrong try at the user's password; the count in a row, this one included."""
    await tx.execute("UPDATE passwords SET failed_attempts = failed_attempts + 1 WHERE user_id = :u", {"u": user_id})
    row = await tx.fetch_one("SELECT failed_attempts FROM passwords WHERE user_id = :u", {"u": user_id})
    return int(row["failed_attempts"]) if row else 0


async def clear_wrong(tx: Transaction, user_id: str) -> None:
    await tx.execute(
        "UPDATE passwords SET failed_attempts = 0 WHERE user_id = :u AND failed_attempts <> 0", {"u": user_id}
    )


async def require_change(tx: Transaction, user_id: str) -> bool:
    """Mark the password as one to change before the next sign-in; ``False`` if there is none."""
    return await tx.execute("UPDATE passwords SET must_change = :t WHERE user_id = :u", {"u": user_id, "t": True}) == 1
