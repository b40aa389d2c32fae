"""Passkeys (``webauthn_credentials``) and the ceremonies that register and use them
(``webauthn_ceremonies``)."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.models.passkeys import Credential
from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import BOOL, JSON, JSON_TUPLE, Column, RecordTable, as_is


@dataclass(frozen=True)
class Ceremony:
    """A started registration (``signup``, ``update``) or assertion (``signin``)."""

    id: str
    project_id: str
    kind: str
    login_id: str
    user_id: str  # the user signing in or adding a passkey; for a sign-up, the ID the new user gets
    challenge: str  # base64url
    origin: str
    rp_id: str
    details: dict[str, object]
    expires_at_ms: int
    used_at_ms: int


CREDENTIALS = RecordTable(
    "webauthn_credentials",
    Credential,
    (
        *as_is("project_id", "credential_id", "user_id", "public_key", "sign_count"),
        Column("transports", conversion=JSON_TUPLE),
        Column("aaguid"),
        Column("backup_eligible", conversion=BOOL),
        Column("backup_state", conversion=BOOL),
        *as_is("name", "rp_id"),
        Column("created_at", "created_at_ms"),
        Column("last_used_at", "last_used_at_ms"),
    ),
)
CEREMONIES = RecordTable(
    "webauthn_ceremonies",
    Ceremony,
    (
        *as_is("id", "project_id", "kind", "login_id", "user_id", "challenge", "origin", "rp_id"),
        Column("details", conversion=JSON),
        Column("expires_at", "expires_at_ms"),
        Column("used_at", "used_at_ms"),
    ),
)
_INSERT_CREDENTIAL = CREDENTIALS.insert_sql()
_INSERT_CEREMONY = CEREMONIES.insert_sql()


async def insert_credential(tx: Transaction, credential: Credential) -> None:
    """Store a new passkey; ``IntegrityViolation`` if the project has that credential ID."""
    await tx.execute(_INSERT_CREDENTIAL, CREDENTIALS.params_of(credential))


async def credential(tx: Transaction, project_id: str, credential_id: str) -> Credential | None:
    row = await tx.fetch_one(
        "SELECT * FROM webauthn_credentials WHERE project_id = :p AND credential_id = :c",
        {"p": project_id, "c": credential_id},
    )
    return CREDENTIALS.from_row(row) if row else None


async def credentials_of(tx: Transaction, user_id: str) -> list[Credential]:
    """The user's passkeys, oldest first."""
    rows = await tx.fetch_all(
        "SELECT * FROM webauthn_credentials WHERE user_id = :u ORDER BY created_at, credential_id", {"u": user_id}
    )
    return [CREDENTIALS.from_row(row) for row in rows]


async def credentials_of_users(tx: Transaction, user_ids: list[str]) -> dict[str, list[Credential]]:
    """The passkeys of each of ``user_ids`` (oldest first), by user ID."""
    placeholders, params = in_list("u", user_ids)
    rows = await tx.fetch_all(
        f"SELECT * FROM webauthn_credentials WHERE user_id IN {placeholders} ORDER BY created_at, credential_id",
        params,
    )
    found: dict[str, list[Credential]] = {user_id: [] for user_id in user_ids}
    for row in rows:
        found[row["user_id"]].append(CREDENTIALS.from_row(row))
    return found


async def record_use(
    tx: Transaction,
    project_id: str,
    credential_id: str,
    *,
    old_count: int,
    new_count: int,
    backup_state: bool,
    now_ms: int,
) -> bool:
    """Advance the sign count from ``old_count`` (guarded: two assertions racing with one
    count cannot both pass); whether this one did."""
    return (
        await tx.execute(
            "UPDATE webauthn_credentials SET sign_count = :new, backup_state = :b, last_used_at = :now"
            " WHERE project_id = :p AND credential_id = :c AND sign_count = :old",
            {"p": project_id, "c": credential_id, "old": old_count, "new": new_count, "b": backup_state, "now": now_ms},
        )
        == 1
    )


async def delete_credential(tx: Transaction, user_id: str, credential_id: str) -> bool:
    """Remove one of the user's passkeys; whether it was there."""
    return (
        await tx.execute(
            "DELETE FROM webauthn_credentials WHERE user_id = :u AND credential_id = :c",
            {"u": user_id, "c": credential_id},
        )
        > 0
    )


async def delete_credentials_of(tx: Transaction, user_id: str) -> int:
    """Remove all the user's passkeys; how many."""
    return await tx.execute("DELETE FROM webauthn_credentials WHERE user_id = :u", {"u": user_id})


async def insert_ceremony(tx: Transaction, ceremony: Ceremony) -> None:
    await tx.execute(_INSERT_CEREMONY, CEREMONIES.params_of(ceremony))


async def claim_ceremony(tx: Transaction, project_id: str, ceremony_id: str, now_ms: int) -> Ceremony | None:
    """The live ceremony ``ceremony_id``, marked used by one guarded statement (a replayed or
    racing finish gets ``None``); ``None`` too if it is unknown or expired."""
    claimed = await tx.execute(
        "UPDATE webauthn_ceremonies SET used_at = :now"
        " WHERE id = :id AND project_id = :p AND used_at = 0 AND expires_at > :now",
        {"id": ceremony_id, "p": project_id, "now": now_ms},
    )
    if claimed != 1:
        return None
    row = await tx.fetch_one("SELECT * FROM webauthn_ceremonies WHERE id = :id", {"id": ceremony_id})
    return CEREMONIES.from_row(row) if row else None


async def drop_expired_ceremonies(tx: Transaction, project_id: str, now_ms: int) -> None:
    await tx.execute(
        "DELETE FROM webauthn_ceremonies WHERE project_id = :p AND expires_at <= :now", {"p": project_id, "now": now_ms}
    )
