"""Users' authenticator apps (``totp_secrets``): secrets as sealed text, never opened here."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import Column, RecordTable, as_is


@dataclass(frozen=True)
class TotpRow:
    """A user's app: ``secret`` confirmed by a code ("" before the first), ``pending_secret``
    enrolled but not yet confirmed (""), ``last_step`` the newest step a code was accepted for."""

    user_id: str
    project_id: str
    secret: str
    pending_secret: str
    last_step: int
    created_at_ms: int
    confirmed_at_ms: int


TOTP = RecordTable(
    "totp_secrets",
    TotpRow,
    (
        *as_is("user_id", "project_id", "secret", "pending_secret", "last_step"),
        Column("created_at", "created_at_ms"),
        Column("confirmed_at", "confirmed_at_ms"),
    ),
)


async def of_user(tx: Transaction, user_id: str) -> TotpRow | None:
    row = await tx.fetch_one("SELECT * FROM totp_secrets WHERE user_id = :u", {"u": user_id})
    return TOTP.from_row(row) if row else None


async def of_users(tx: Transaction, user_ids: list[str]) -> dict[str, TotpRow]:
    """The apps of those of ``user_ids`` that have one, by user ID."""
    placeholders, params = in_list("u", user_ids)
    rows = await tx.fetch_all(f"SELECT * FROM totp_secrets WHERE user_id IN {placeholders}", params)
    return {row["user_id"]: TOTP.from_row(row) for row in rows}


async def enrol(tx: Transaction, user_id: str, project_id: str, sealed: str, now_ms: int) -> None:
    """Put ``sealed`` as the user's pending secret, keeping a confirmed one until it is replaced."""
    await tx.execute(
        "INSERT INTO totp_secrets (user_id, project_id, secret, pending_secret, last_step, created_at, confirmed_at)"
        " VALUES (:u, :p, '', :s, 0, :now, 0)"
        " ON CONFLICT (user_id) DO UPDATE SET pending_secret = :s",
        {"u": user_id, "p": project_id, "s": sealed, "now": now_ms},
    )


async def import_confirmed(tx: Transaction, user_id: str, project_id: str, sealed: str, now_ms: int) -> None:
    """Store ``sealed`` as the user's confirmed secret (an import: no first code is asked for)."""
    await tx.execute(
        "INSERT INTO totp_secrets (user_id, project_id, secret, pending_secret, last_step, created_at, confirmed_at)"
        " VALUES (:u, :p, :s, '', 0, :now, :now)"
        " ON CONFLICT (user_id) DO UPDATE SET secret = :s, pending_secret = '', confirmed_at = :now",
        {"u": user_id, "p": project_id, "s": sealed, "now": now_ms},
    )


async def accept_step(tx: Transaction, user_id: str, step: int, *, confirm_pending: bool, now_ms: int) -> bool:
    """Record that a code for ``step`` was accepted; ``False`` if that step (or a later one)
    already was. One guarded statement, so two requests with the same code cannot both win.
    With ``confirm_pending`` the pending secret becomes the confirmed one in that statement."""
    promote = ", secret = pending_secret, pending_secret = '', confirmed_at = :now" if confirm_pending else ""
    won = await tx.execute(
        f"UPDATE totp_secrets SET last_step = :step{promote} WHERE user_id = :u AND last_step < :step",
        {"u": user_id, "step": step, "now": now_ms},
    )
    return won == 1


async def remove(tx: Transaction, user_id: str) -> bool:
    """Forget the user's app; whether there was one."""
    return await tx.execute("DELETE FROM totp_secrets WHERE user_id = :u", {"u": user_id}) > 0
