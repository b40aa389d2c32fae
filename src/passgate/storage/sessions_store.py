"""Refresh-token sessions: one row per refresh JWT (its ``jti``), so logout can revoke it."""

from __future__ import annotations

from passgate.models.sessions import SessionRecord
from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import JSON, Column, RecordTable, as_is

SESSIONS = RecordTable(
    "sessions",
    SessionRecord,
    (
        *as_is("id", "project_id", "user_id"),
        Column("amr", conversion=JSON),
        Column("ip"),
        Column("created_at", "created_at_ms"),
        Column("expires_at", "expires_at_ms"),
        Column("revoked_at", "revoked_at_ms"),
        *as_is("current_jti", "previous_jti"),
        Column("rotated_at", "rotated_at_ms"),
    ),
)
_INSERT = SESSIONS.insert_sql("user_agent")
USER_AGENT_LENGTH = 400  # the column's bound: a longer User-Agent is cut, not refused


async def insert_session(tx: Transaction, record: SessionRecord, user_agent: str) -> None:
    await tx.execute(_INSERT, {**SESSIONS.params_of(record), "user_agent": user_agent[:USER_AGENT_LENGTH]})


async def rotate(tx: Transaction, session_id: str, old_jti: str, new_jti: str, now_ms: int) -> bool:
    """Make ``new_jti`` current if ``old_jti`` still is; ``False`` if another request rotated first."""
    changed = await tx.execute(
        "UPDATE sessions SET previous_jti = :old, current_jti = :new, rotated_at = :now"
        " WHERE id = :id AND COALESCE(current_jti, id) = :old AND revoked_at IS NULL",
        {"id": session_id, "old": old_jti, "new": new_jti, "now": now_ms},
    )
    return changed == 1


async def get_session(tx: Transaction, project_id: str, session_id: str) -> SessionRecord | None:
    row = await tx.fetch_one(
        "SELECT * FROM sessions WHERE id = :id AND project_id = :p", {"id": session_id, "p": project_id}
    )
    return SESSIONS.from_row(row) if row else None


async def revoke(tx: Transaction, session_id: str, now_ms: int) -> None:
    await tx.execute(
        "UPDATE sessions SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL", {"id": session_id, "now": now_ms}
    )


async def revoke_all_of_user(tx: Transaction, user_id: str, now_ms: int) -> int:
    """Revoke every live session of the user; the number revoked."""
    return await tx.execute(
        "UPDATE sessions SET revoked_at = :now WHERE user_id = :u AND revoked_at IS NULL", {"u": user_id, "now": now_ms}
    )


async def history(tx: Transaction, user_id: str, limit: int) -> list[SessionRecord]:
    """The user's sign-ins, newest first (each session is one sign-in)."""
    rows = await tx.fetch_all(
        "SELECT * FROM sessions WHERE user_id = :u ORDER BY created_at DESC LIMIT :n", {"u": user_id, "n": limit}
    )
    return [SESSIONS.from_row(row) for row in rows]


async def history_of_users(tx: Transaction, project_id: str, user_ids: list[str], limit: int) -> list[SessionRecord]:
    """Sign-ins of the project's users among ``user_ids``, newest first."""
    placeholders, params = in_list("u", list(dict.fromkeys(user_ids)))
    rows = await tx.fetch_all(
        f"SELECT * FROM sessions WHERE project_id = :p AND user_id IN {placeholders}"
        " ORDER BY created_at DESC, id LIMIT :n",
        {**params, "p": project_id, "n": limit},
    )
    return [SESSIONS.from_row(row) for row in rows]


async def move_sessions(tx: Transaction, from_user_id: str, to_user_id: str) -> None:
    """Re-home sign-in history when two users merge (the merged user's tokens are revoked first)."""
    await tx.execute(
        "UPDATE sessions SET user_id = :to WHERE user_id = :from", {"to": to_user_id, "from": from_user_id}
    )
