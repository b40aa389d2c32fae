"""SAML assertions already accepted (the replay cache), kept until they expire."""

from __future__ import annotations

from passgate.storage.database import IntegrityViolation, Transaction


async def remember(tx: Transaction, project_id: str, assertion_id: str, expires_at_ms: int, now_ms: int) -> bool:
    """Record ``assertion_id`` as used until ``expires_at_ms``; ``False`` if it already was
    (a replay). Expired entries of the project are dropped on the way."""
    await tx.execute(
        "DELETE FROM saml_assertions WHERE project_id = :p AND expires_at <= :now", {"p": project_id, "now": now_ms}
    )
    try:
        await tx.execute(
            "INSERT INTO saml_assertions (project_id, assertion_id, expires_at) VALUES (:p, :a, :e)",
            {"p": project_id, "a": assertion_id, "e": expires_at_ms},
        )
    except IntegrityViolation:
        return False
    return True
