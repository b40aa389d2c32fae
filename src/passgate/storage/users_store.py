"""Users and their login IDs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from passgate.models.users import User, UserStatus
from passgate.storage import grants_store
from passgate.storage.database import Row, Transaction, in_list
from passgate.storage.mapping import (
    BOOL,
    JSON_TUPLE,
    MS_AS_SECONDS,
    Column,
    Conversion,
    RecordTable,
    as_is,
    enum_of,
    insert_sql,
)


def attributes_json(attributes: dict[str, Any]) -> str:
    """Custom attributes as stored: one top-level key per line, indented by exactly one space.

    The layout makes a top-level ``key: value`` pair findable in SQL by plain substring
    (see ``attribute_line``) on both backends, without dialect-specific JSON functions:
    nested keys are indented deeper, and JSON strings cannot contain a raw newline.
    """
    return json.dumps(attributes, indent=1, sort_keys=True)


def attribute_line(key: str, value: Any) -> str:
    """The text a top-level ``key: value`` pair has in ``attributes_json`` (from its newline
    to the end of the value); it is followed by ``,\\n`` or by the closing ``\\n}``."""
    return attributes_json({key: value})[1:-2]


USERS = RecordTable(
    "users",
    User,
    (
        *as_is("id", "project_id", "name", "given_name", "middle_name", "family_name", "email"),
        Column("verified_email", conversion=BOOL),
        Column("phone"),
        Column("verified_phone", conversion=BOOL),
        Column("status", conversion=enum_of(UserStatus)),
        Column("test", conversion=BOOL),
        Column("picture"),
        Column("custom_attributes", conversion=Conversion(load=json.loads, dump=attributes_json)),
        Column("created_at", conversion=MS_AS_SECONDS),
        Column("modified_at", conversion=MS_AS_SECONDS),
        Column("webauthn", conversion=BOOL),
        Column("totp", conversion=BOOL),
        Column("password", conversion=BOOL),
        Column("oauth", conversion=JSON_TUPLE),
        Column("saml", conversion=BOOL),
    ),
    other_fields=("login_ids", "authz"),
)
_INSERT_USER = USERS.insert_sql()
# A profile write leaves the factor flags alone: they follow the credential rows, written in
# the transactions that add or remove those (``set_factor``), so a concurrent profile update
# holding an older copy of the user cannot undo them.
_FACTORS = ("webauthn", "totp", "password", "saml")
# Nor does it touch the providers list, kept with the identities (``identities_store``).
_KEPT = ("id", "project_id", "created_at", "oauth", *_FACTORS)
_UPDATE_USER = f"UPDATE users SET {USERS.assignments(leaving=_KEPT)} WHERE id = :id"

LOGIN_ID_COLUMNS = ("project_id", "login_id", "user_id", "position")
_INSERT_LOGIN_ID = insert_sql("login_ids", LOGIN_ID_COLUMNS)


def login_id_rows(user: User) -> list[dict[str, Any]]:
    """The ``login_ids`` rows of ``user``, its primary login ID first."""
    return [
        {"project_id": user.project_id, "login_id": login_id, "user_id": user.id, "position": position}
        for position, login_id in enumerate(user.login_ids)
    ]


async def find_by_login_id(tx: Transaction, project_id: str, login_id: str) -> User | None:
    """The user owning ``login_id`` in the project, if any."""
    row = await tx.fetch_one(
        "SELECT u.* FROM login_ids l JOIN users u ON u.id = l.user_id WHERE l.project_id = :p AND l.login_id = :l",
        {"p": project_id, "l": login_id},
    )
    return await _complete(tx, row) if row else None


async def find_by_id(tx: Transaction, project_id: str, user_id: str) -> User | None:
    row = await tx.fetch_one("SELECT * FROM users WHERE id = :u AND project_id = :p", {"u": user_id, "p": project_id})
    return await _complete(tx, row) if row else None


async def _complete(tx: Transaction, row: Row) -> User:
    return (await complete_many(tx, [row]))[0]


async def complete_many(tx: Transaction, rows: list[Row]) -> list[User]:
    """Users from ``users`` rows, their login IDs and authorizations loaded in two queries
    whatever the number of rows (search pages must not cost a query per user)."""
    ids = [row["id"] for row in rows]
    placeholders, params = in_list("u", ids)
    login_rows = await tx.fetch_all(
        f"SELECT user_id, login_id FROM login_ids WHERE user_id IN {placeholders} ORDER BY user_id, position, login_id",
        params,
    )
    login_ids: dict[str, list[str]] = {user_id: [] for user_id in ids}
    for login_row in login_rows:
        login_ids[login_row["user_id"]].append(login_row["login_id"])
    authz = await grants_store.authorizations(tx, ids)
    return [USERS.from_row(row, login_ids=tuple(login_ids[row["id"]]), authz=authz[row["id"]]) for row in rows]


async def find_many(tx: Transaction, project_id: str, user_ids: list[str]) -> list[User]:
    """The users of the project among ``user_ids`` (unknown IDs are left out), in that order."""
    placeholders, params = in_list("id", list(dict.fromkeys(user_ids)))
    # By ID alone, the project checked here: with ``project_id = :p`` in the query, SQLite
    # chose the project's index and read every user of the project (a bulk import's batches
    # grew slower with each million users).
    found = await tx.fetch_all(f"SELECT * FROM users WHERE id IN {placeholders}", params)
    rows = [row for row in found if row["project_id"] == project_id]
    order = {user_id: i for i, user_id in enumerate(user_ids)}
    return await complete_many(tx, sorted(rows, key=lambda row: order[row["id"]]))


async def login_id_owner(tx: Transaction, project_id: str, login_id: str) -> str | None:
    """The ID of the user owning ``login_id``, if any (cheaper than loading the user)."""
    row = await tx.fetch_one(
        "SELECT user_id FROM login_ids WHERE project_id = :p AND login_id = :l", {"p": project_id, "l": login_id}
    )
    return row["user_id"] if row else None


async def taken(tx: Transaction, project_id: str, login_ids: Sequence[str], user_ids: Sequence[str]) -> set[str]:
    """Those of ``login_ids`` the project's users hold, and of ``user_ids`` already used."""
    logins, login_params = in_list("l", list(dict.fromkeys(login_ids)))
    ids, id_params = in_list("u", list(dict.fromkeys(user_ids)))
    rows = await tx.fetch_all(
        f"SELECT login_id AS v FROM login_ids WHERE project_id = :p AND login_id IN {logins}"
        f" UNION ALL SELECT id AS v FROM users WHERE id IN {ids}",
        {**login_params, **id_params, "p": project_id},
    )
    return {row["v"] for row in rows}


async def insert_user(tx: Transaction, user: User) -> None:
    """Insert ``user`` and its login IDs; ``IntegrityViolation`` if a login ID is taken."""
    await tx.execute(_INSERT_USER, USERS.params_of(user))
    await replace_login_ids(tx, user)


async def insert_new_users(tx: Transaction, users: Sequence[User]) -> None:
    """Insert users (with their login IDs) none of which exists yet, in two batched
    statements (a bulk import: a statement per row costs a round trip each on PostgreSQL);
    ``IntegrityViolation`` if a login ID or user ID is taken after all."""
    await tx.execute_many(_INSERT_USER, [USERS.params_of(user) for user in users])
    await tx.execute_many(_INSERT_LOGIN_ID, [row for user in users for row in login_id_rows(user)])


async def update_user(tx: Transaction, user: User, previous: User | None = None) -> None:
    """Overwrite the stored profile and login IDs of ``user.id`` with ``user``.

    ``previous`` is the stored user being replaced, when the caller loaded it: its login IDs
    are then rewritten only if they changed (a sign-in that verifies an address changes the
    profile, not the login IDs: two writes and their index updates saved).
    """
    await tx.execute(_UPDATE_USER, USERS.params_of(user))
    if previous is None or previous.login_ids != user.login_ids:
        await replace_login_ids(tx, user)


async def set_factor(tx: Transaction, user_id: str, factor: str, enabled: bool, now_ms: int) -> None:
    """Record whether the user has ``factor`` (``webauthn``, ``totp`` or ``password``)."""
    if factor not in _FACTORS:
        raise ValueError(f"not a factor flag: {factor}")
    await tx.execute(
        f"UPDATE users SET {factor} = :on, modified_at = :now WHERE id = :u",
        {"u": user_id, "on": enabled, "now": now_ms},
    )


async def touch(tx: Transaction, user_id: str, now_ms: int) -> None:
    """Record a change made elsewhere (its grants) as the user's last modification."""
    await tx.execute("UPDATE users SET modified_at = :now WHERE id = :u", {"u": user_id, "now": now_ms})


async def replace_login_ids(tx: Transaction, user: User) -> None:
    await tx.execute("DELETE FROM login_ids WHERE user_id = :u", {"u": user.id})
    for row in login_id_rows(user):
        await tx.execute(_INSERT_LOGIN_ID, row)


async def delete_test_users(tx: Transaction, project_id: str) -> int:
    """Delete every test user of the project with its login IDs, sessions and grants; how many."""
    return await _delete_where(tx, "project_id = :p AND test = :t", {"p": project_id, "t": True})


async def delete_users(tx: Transaction, project_id: str, user_ids: Sequence[str]) -> int:
    """Delete the project's users among ``user_ids`` (unknown IDs are skipped) with their login
    IDs, sessions and grants; how many were deleted."""
    placeholders, params = in_list("u", list(dict.fromkeys(user_ids)))
    return await _delete_where(tx, f"project_id = :p AND id IN {placeholders}", {**params, "p": project_id})


async def _delete_where(tx: Transaction, condition: str, params: dict[str, Any]) -> int:
    """Delete the users matching ``condition`` (SQL over ``users``), everything of theirs first."""
    chosen = f"(SELECT id FROM users WHERE {condition})"
    await tx.execute(f"DELETE FROM principal_roles WHERE principal_id IN {chosen}", params)
    await tx.execute(f"DELETE FROM principal_tenants WHERE principal_id IN {chosen}", params)
    await tx.execute(f"DELETE FROM sessions WHERE user_id IN {chosen}", params)
    await tx.execute(f"DELETE FROM login_ids WHERE user_id IN {chosen}", params)
    return await tx.execute(f"DELETE FROM users WHERE {condition}", params)


async def delete_user(tx: Transaction, user_id: str) -> None:
    """Delete the user, its login IDs, sessions, memberships and role grants."""
    await grants_store.forget_principal(tx, user_id)
    await tx.execute("DELETE FROM sessions WHERE user_id = :u", {"u": user_id})
    await tx.execute("DELETE FROM login_ids WHERE user_id = :u", {"u": user_id})
    await tx.execute("DELETE FROM users WHERE id = :u", {"u": user_id})


async def page_by_id(tx: Transaction, project_id: str, after: str, limit: int, *, test: bool = True) -> list[User]:
    """Up to ``limit`` of the project's users with IDs after ``after``, in ID order (a keyset
    page: a scan of every user costs one index range per page)."""
    rows = await tx.fetch_all(
        "SELECT * FROM users WHERE project_id = :p AND id > :a ORDER BY id LIMIT :n",
        {"p": project_id, "a": after, "n": limit},
    )
    return await complete_many(tx, rows)


async def login_id_page(tx: Transaction, project_id: str, after: str, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` of the project's ``(login ID, user ID)`` pairs with login IDs after
    ``after``, in login-ID order: a keyset page, so a scan of every login ID costs one
    index range per page however many users the project has."""
    rows = await tx.fetch_all(
        "SELECT login_id, user_id FROM login_ids WHERE project_id = :p AND login_id > :a ORDER BY login_id LIMIT :n",
        {"p": project_id, "a": after, "n": limit},
    )
    return [(row["login_id"], row["user_id"]) for row in rows]
