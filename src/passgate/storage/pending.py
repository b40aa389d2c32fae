"""Rows that stand for a one-time secret (a code's challenge, a link token) share a
``state`` and an ``expires_at``: which of them can still be used."""

from __future__ import annotations

from typing import Literal

from passgate.storage.database import Transaction, in_list

SecretTable = Literal["challenges", "link_tokens"]


async def usable_among(tx: Transaction, table: SecretTable, ids: list[str], now_ms: int) -> set[str]:
    """Those of ``ids`` in ``table`` still pending and unexpired (the outbox's stale check)."""
    placeholders, params = in_list("s", ids)
    rows = await tx.fetch_all(
        f"SELECT id FROM {table} WHERE id IN {placeholders} AND state = 'pending' AND expires_at > :now",
        {**params, "now": now_ms},
    )
    return {row["id"] for row in rows}
