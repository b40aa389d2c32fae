"""Users' identities at social login providers (``user_identities``), and the provider list
kept on the user row for the User object's ``OAuth``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from passgate.storage.database import Transaction, in_list

_COLUMNS = "project_id, provider, subject, user_id, email, tokens"  # an ``Identity``'s, in order


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
        f"SELECT {_COLUMNS} FROM user_identities WHERE project_id = :p AND provider = :v AND subject = :s",
        {"p": project_id, "v": provider, "s": subject},
    )
    return Identity(**row) if row else None


async def find_of_user(tx: Transaction, user_id: str, provider: str) -> Identity | None:
    row = await tx.fetch_one(
        f"SELECT {_COLUMNS} FROM user_identities WHERE user_id = :u AND provider = :v",
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


async def of_users(tx: Transaction, user_ids: list[str]) -> dict[str, list[Identity]]:
    """The identities of each of ``user_ids`` (by provider and subject), by user ID."""
    placeholders, params = in_list("u", user_ids)
    rows = await tx.fetch_all(
        f"SELECT {_COLUMNS} FROM user_identities WHERE user_id IN {placeholders} ORDER BY provider, subject", params
    )
    found: dict[str, list[Identity]] = {user_id: [] for user_id in user_ids}
    for row in rows:
        found[row["user_id"]].append(Identity(**row))
    return found


async def insert_many(tx: Transaction, identities: list[Identity], now_ms: int) -> None:
    """Store identities of users being imported (their rows' provider lists are the
    import's to write); ``IntegrityViolation`` if another user holds one."""
    await tx.execute_many(
        "INSERT INTO user_identities (project_id, provider, subject, user_id, email, tokens, created_at, last_used_at)"
        " VALUES (:p, :v, :s, :u, :e, '', :now, :now)",
        [
            {"p": i.project_id, "v": i.provider, "s": i.subject, "u": i.user_id, "e": i.email, "now": now_ms}
            for i in identities
        ],
    )


async def move(tx: Transaction, from_user: str, to_user: str, now_ms: int) -> None:
    """Give ``from_user``'s identities to ``to_user`` (a merge of two users), its provider
    list and SSO flag too."""
    await tx.execute("UPDATE user_identities SET user_id = :t WHERE user_id = :f", {"t": to_user, "f": from_user})
    rows = await tx.fetch_all("SELECT id, oauth, saml FROM users WHERE id IN (:f, :t)", {"f": from_user, "t": to_user})
    by_id = {row["id"]: row for row in rows}
    if from_user not in by_id or to_user not in by_id:
        return
    providers = list(dict.fromkeys([*json.loads(by_id[to_user]["oauth"]), *json.loads(by_id[from_user]["oauth"])]))
    await tx.execute(
        "UPDATE users SET oauth = :o, saml = :s, modified_at = :now WHERE id = :t",
        {
            "o": json.dumps(providers),
            "s": bool(by_id[to_user]["saml"] or by_id[from_user]["saml"]),
            "t": to_user,
            "now": now_ms,
        },
    )
