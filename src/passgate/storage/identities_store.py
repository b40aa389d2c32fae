"""Users' identities at social login providers (``user_identities``), and the provider list
kept on the user row for the User object's ``OAuth``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from passgate.storage.database import Transaction


@dataclass(frozen=True)
class Identity:
    project_id: str
    provider: str
    subject: str
    user_id: str
    email: str
    tokens: str  # sealed provider tokens, "" unless the provider's store_tokens asks


async def find(tx: Transaction, project_id: str, provider: str, subject: str) -> Identity | None:
    row = await tx.fetch_one(
        "SELECT project_id, provider, subject, user_id, email, tokens FROM user_identities"
        " WHERE project_id = :p AND provider = :v AND subject = :s",
        {"p": project_id, "v": provider, "s": subject},
    )
    return Identity(**row) if row else None


async def find_of_user(tx: Transaction, user_id: str, provider: str) -> Identity | None:
    row = await tx.fetch_one(
        "SELECT project_id, provider, subject, user_id, email, tokens FROM user_identities"
        " WHERE user_id = :u AND provider = :v",
        {"u": user_id, "v": provider},
    )
    return Identity(**row) if row else None


async def link(tx: Transaction, identity: Identity, now_ms: int, *, listed: bool = True) -> None:
    """Record ``identity`` for its user (``IntegrityViolation`` if another user holds it) and,
    when ``listed`` (a social provider, not a tenant's SSO), add its provider to the user
    row's list."""
    await tx.execute(
        "INSERT INTO user_identities (project_id, provider, subject, user_id, email, tokens, created_at, last_used_at)"
        " VALUES (:p, :v, :s, :u, :e, :t, :now, :now)",
        {
            "p": identity.project_id,
            "v": identity.provider,
            "s": identity.subject,
            "u": identity.user_id,
            "e": identity.email,
            "t": identity.tokens,
            "now": now_ms,
        },
    )
    if not listed:
        return
    row = await tx.fetch_one("SELECT oauth FROM users WHERE id = :u", {"u": identity.user_id})
    providers = json.loads(row["oauth"]) if row else []
    if identity.provider not in providers:
        await tx.execute(
            "UPDATE users SET oauth = :o, modified_at = :now WHERE id = :u",
            {"o": json.dumps([*providers, identity.provider]), "u": identity.user_id, "now": now_ms},
        )


async def touch(tx: Transaction, identity: Identity, email: str, tokens: str, now_ms: int) -> None:
    """A sign-in through ``identity``: its email as the provider now asserts it, its tokens
    (when kept) replaced."""
    await tx.execute(
        "UPDATE user_identities SET email = :e, tokens = :t, last_used_at = :now"
        " WHERE project_id = :p AND provider = :v AND subject = :s",
        {
            "p": identity.project_id,
            "v": identity.provider,
            "s": identity.subject,
            "e": email,
            "t": tokens,
            "now": now_ms,
        },
    )
