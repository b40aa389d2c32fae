"""Auth0 exports to passgate import records.

The users file is Auth0's bulk user export in its JSON form: Dashboard → User Management →
Users → Import/Export Users → Export Users with format JSON, or the Management API's
``POST /api/v2/jobs/users-exports`` with ``"format": "json"``. Auth0 writes NDJSON, one user a
line, gzip-compressed for download (decompress it first); a JSON array of the same objects is
read too. Fields read: ``user_id`` ("auth0|…" for database users), ``email``, ``email_verified``,
``phone_number``, ``phone_verified``, ``username``, ``name``, ``given_name``, ``family_name``,
``picture``, ``created_at`` (ISO 8601), ``blocked`` (→ disabled), ``identities`` (``provider``,
``user_id``, ``connection``), ``user_metadata`` and ``app_metadata``. Others (``nickname``,
``last_login``, ``logins_count``, …) have no place in an import record and are dropped.

The optional hashes file is the password-hash export Auth0 support sends on request (the
Management API never gives out hashes): NDJSON, one database user a line, e.g.
``{"_id": {"$oid": "5f…"}, "email": "a@b.c", "email_verified": true, "passwordHash": "$2b$10$…",
"password_set_date": {"$date": "…"}, "tenant": "t", "connection": "Username-Password-
Authentication", "_tmp_is_unique": true}``, with ``alt_id`` for users whose ID was chosen (custom
databases, IDs given through the Management API) and, in newer exports, ``identifiers``
(``[{"type": "email", "value": …, "verified": …}]``) where the root ``email`` may be missing.

Pairing a hash line with a user: first by ID (the user's ``user_id``, or an ``auth0`` identity's
``user_id``, equals ``auth0|`` + ``alt_id`` or ``auth0|`` + ``_id.$oid``), then, for users still
without one, by email (case-insensitive), and only when exactly one unpaired line has that email
and its ``connection`` is one of the user's identities' connections (a user exported without
``identities`` matches any). A line paired with no user becomes a user of its own (so the
hashes file alone is importable), numbered by its line in the hashes file, unless its email
belongs to a user in the users file: that line is refused rather than make a second user with
the same login ID.

Login IDs: the email, else the phone number, else the username, then the username as a second
login ID when there is one. Hashes must be bcrypt; any other is refused.

Metadata (``keep_metadata``): ``user_metadata`` and ``app_metadata`` merged into
``customAttributes``, ``app_metadata`` winning a key both have: the application sets it, while
the user may edit ``user_metadata``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from passgate.mgmt.import_sources import (
    RawRecord,
    Record,
    Refusal,
    compact,
    e164,
    email_address,
    is_bcrypt,
    json_records,
    login_ids,
    read_text,
    refused,
    text,
    truthy,
    unix_seconds,
)

_USERS, _HASHES = "Auth0 users file", "Auth0 password-hash file"


@dataclass(frozen=True)
class _HashLine:
    """One line of the hashes file, with what pairing it needs."""

    position: int
    fields: dict[str, Any]
    user_ids: frozenset[str]
    email: str
    connection: str


def convert(users: bytes, hashes: bytes | None, *, keep_metadata: bool) -> Iterator[Record]:
    """Parse both files now; the returned iterator converts the users one by one."""
    user_records = json_records(read_text(users, _USERS), _USERS)
    hash_records = json_records(read_text(hashes, _HASHES), _HASHES) if hashes is not None else []
    return _records(user_records, hash_records, keep_metadata)


def _records(users: list[RawRecord], hashes: list[RawRecord], keep_metadata: bool) -> Iterator[Record]:
    lines = [_hash_line(record.position, record.fields) for record in hashes if record.fields is not None]
    pairs = _pair(users, lines)
    for index, user in enumerate(users):
        yield _user_record(user, pairs.get(index), keep_metadata)
    paired = {line.position for line in pairs.values()}
    owners = _email_owners(users)
    by_position = {line.position: line for line in lines}
    for record in hashes:
        if record.fields is None:
            yield refused(record.position, record.problem, "hashes")
        elif record.position not in paired:
            yield _hash_only_record(by_position[record.position], owners)


# --- pairing hash lines with users -----------------------------------------------------------
def _hash_line(position: int, fields: dict[str, Any]) -> _HashLine:
    raw_id = fields.get("_id")
    oid = text(raw_id.get("$oid")) if isinstance(raw_id, dict) else text(raw_id)
    ids = frozenset(f"auth0|{value}" for value in (oid, text(fields.get("alt_id"))) if value)
    email = text(fields.get("email")) or _identifier(fields, "email")[0]
    return _HashLine(position, fields, ids, email.lower(), text(fields.get("connection")))


def _identifier(fields: dict[str, Any], kind: str) -> tuple[str, bool]:
    """The value and verified flag of the hash line's first ``identifiers`` entry of ``kind``."""
    entries = fields.get("identifiers")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("type") == kind and text(entry.get("value")):
            return text(entry.get("value")), truthy(entry.get("verified"))
    return "", False


def _pair(users: list[RawRecord], lines: list[_HashLine]) -> dict[int, _HashLine]:
    """The hash line for each user that has one, by the user's index: by ID, then by email."""
    by_id = {user_id: line for line in reversed(lines) for user_id in line.user_ids}
    pairs: dict[int, _HashLine] = {}
    taken: set[int] = set()
    for index, user in enumerate(users):
        line = next((by_id[key] for key in _user_ids(user.fields) if key in by_id), None)
        if line is not None and line.position not in taken:
            pairs[index] = line
            taken.add(line.position)
    by_email: dict[str, list[_HashLine]] = {}
    for line in lines:
        if line.email and line.position not in taken:
            by_email.setdefault(line.email, []).append(line)
    for index, user in enumerate(users):
        if index not in pairs and user.fields is not None:
            line = _by_email(user.fields, by_email)
            if line is not None:
                pairs[index] = line
                by_email[line.email] = [other for other in by_email[line.email] if other is not line]
    return pairs


def _by_email(fields: dict[str, Any], by_email: dict[str, list[_HashLine]]) -> _HashLine | None:
    connections = {text(identity.get("connection")) for identity in _identities(fields)} - {""}
    candidates = [
        line
        for line in by_email.get(text(fields.get("email")).lower(), [])
        if not connections or not line.connection or line.connection in connections
    ]
    return candidates[0] if len(candidates) == 1 else None


def _user_ids(fields: dict[str, Any] | None) -> list[str]:
    if fields is None:
        return []
    from_identities = [
        f"auth0|{text(identity.get('user_id'))}"
        for identity in _identities(fields)
        if identity.get("provider") == "auth0" and text(identity.get("user_id"))
    ]
    return [key for key in (text(fields.get("user_id")), *from_identities) if key]


def _identities(fields: dict[str, Any]) -> list[dict[str, Any]]:
    identities = fields.get("identities")
    return [entry for entry in identities if isinstance(entry, dict)] if isinstance(identities, list) else []


def _email_owners(users: list[RawRecord]) -> dict[str, int]:
    """Each email in the users file (lower-cased) and the first line that has it."""
    owners: dict[str, int] = {}
    for user in users:
        email = text(user.fields.get("email")).lower() if user.fields is not None else ""
        if email:
            owners.setdefault(email, user.position)
    return owners


# --- converting ------------------------------------------------------------------------------
def _user_record(user: RawRecord, line: _HashLine | None, keep_metadata: bool) -> Record:
    if user.fields is None:
        return refused(user.position, user.problem)
    try:
        data = _user(user.fields, keep_metadata)
        if line is not None:
            data |= _password(line)
    except Refusal as refusal:
        return refused(user.position, str(refusal))
    return Record(position=user.position, data=data)


def _user(fields: dict[str, Any], keep_metadata: bool) -> dict[str, Any]:
    email = email_address(fields.get("email"), "email")
    phone = e164(fields.get("phone_number"), "phone_number")
    username = text(fields.get("username"))
    primary = email or phone or username
    if not primary:
        raise Refusal("no email, phone_number or username to sign in with")
    return compact(
        {
            "loginIds": login_ids(primary, username),
            "email": email,
            "verifiedEmail": bool(email) and truthy(fields.get("email_verified")),
            "phone": phone,
            "verifiedPhone": bool(phone) and truthy(fields.get("phone_verified")),
            "name": text(fields.get("name")),
            "givenName": text(fields.get("given_name")),
            "familyName": text(fields.get("family_name")),
            "picture": text(fields.get("picture")),
            "status": "disabled" if truthy(fields.get("blocked")) else None,
            "createdTime": unix_seconds(fields.get("created_at"), "created_at"),
            "customAttributes": _metadata(fields) if keep_metadata else None,
        }
    )


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in ("user_metadata", "app_metadata"):  # app_metadata last: it wins
        value = fields.get(key)
        if value is not None and not isinstance(value, dict):
            raise Refusal(f"{key} is not a JSON object")
        merged |= value or {}
    return merged


def _password(line: _HashLine) -> dict[str, Any]:
    """The hash line's bcrypt hash as ``hashedPassword``, or nothing if the line has none."""
    value = text(line.fields.get("passwordHash"))
    if not value:
        return {}
    if not is_bcrypt(value):
        raise Refusal(f"passwordHash (line {line.position} of the hashes file) is not a bcrypt hash")
    return {"hashedPassword": {"bcrypt": {"hash": value}}}


def _hash_only_record(line: _HashLine, owners: dict[str, int]) -> Record:
    if line.email in owners:
        reason = f"its email belongs to the user on line {owners[line.email]} of the users file"
        return refused(line.position, reason, "hashes")
    try:
        data = _hash_only_user(line)
    except Refusal as refusal:
        return refused(line.position, str(refusal), "hashes")
    return Record(position=line.position, data=data, file="hashes")


def _hash_only_user(line: _HashLine) -> dict[str, Any]:
    email = email_address(text(line.fields.get("email")) or _identifier(line.fields, "email")[0], "email")
    phone = e164(_identifier(line.fields, "phone_number")[0], "phone_number")
    username = _identifier(line.fields, "username")[0]
    primary = email or phone or username
    if not primary:
        raise Refusal("no email, phone_number or username to sign in with")
    password = _password(line)
    if not password:
        raise Refusal("no passwordHash")
    verified = truthy(line.fields.get("email_verified")) or _identifier(line.fields, "email")[1]
    phone_verified = _identifier(line.fields, "phone_number")[1]
    fields = {
        "loginIds": login_ids(primary, username),
        "email": email,
        "verifiedEmail": bool(email) and verified,
        "phone": phone,
        "verifiedPhone": bool(phone) and phone_verified,
    }
    return compact(fields) | password
