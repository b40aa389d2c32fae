"""Supabase Auth exports to passgate import records.

The users file holds rows of Supabase Auth's ``auth.users`` table (GoTrue's schema), taken with
psql from the project's database (Project Settings → Database → connection string):

* JSON, one row a line: ``\\copy (select row_to_json(u) from auth.users u) to 'users.json'``;
  a JSON array of the rows (``select json_agg(u) from auth.users u``) is read too. psql's
  ``\\copy`` text format doubles every backslash, which breaks a line whose JSON has an escape
  in it (``\\"``); such a line is read again with COPY's escaping undone;
* CSV with a header row: ``\\copy auth.users to 'users.csv' csv header`` (or a CSV download of
  the same query from the dashboard's SQL editor). NULL and "" both read as absent, booleans
  as ``t``/``f`` or ``true``/``false``, jsonb columns as JSON text.

Rows are numbered by their line (a JSON array's by their place in it). Columns read: ``email``,
``encrypted_password``, ``email_confirmed_at`` (set → verifiedEmail), ``phone`` (digits without
``+``, → E.164), ``phone_confirmed_at`` (set → verifiedPhone), ``raw_user_meta_data``
(``full_name`` or ``name`` → name, ``given_name``, ``family_name``, ``avatar_url`` or ``picture``
→ picture), ``created_at``, ``banned_until`` (later than ``now``, or ``infinity`` → disabled),
``deleted_at``, ``is_anonymous`` and ``is_sso_user``. ``id``, ``raw_app_meta_data`` (provider
bookkeeping), tokens and the other columns are not carried.

Refused rows: soft-deleted (``deleted_at`` set), anonymous (``is_anonymous``), and SSO users
(``is_sso_user``: they sign in through their SAML identity provider, have no password, and may
share an email with a password user, which GoTrue allows and passgate's login IDs do not).

``encrypted_password`` (empty for users without a password) is what GoTrue's
``internal/crypto/password.go`` verifies: bcrypt (``$2a$10$…``, the hashes it makes), an Argon2
PHC string (``$argon2id$…``, imported ones) or ``$fbscrypt$v=1,n=…,r=…,p=1,ss=…,sk=…$salt$hash``
(Firebase scrypt hashes imported into Supabase); any other is refused.

Metadata (``keep_metadata``): ``raw_user_meta_data``'s top-level keys go into
``customAttributes`` as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from passgate.mgmt.import_sources import (
    RawRecord,
    Record,
    Refusal,
    SourceError,
    compact,
    e164,
    email_address,
    is_bcrypt,
    json_records,
    login_ids,
    read_text,
    refused,
    standard_base64,
    text,
    truthy,
    unix_seconds,
)

_USERS = "Supabase users file"


def convert(users: bytes, hashes: bytes | None, *, keep_metadata: bool, now: float | None = None) -> Iterator[Record]:
    """Parse the rows now; the iterator converts them. ``now``: unix seconds, for ``banned_until``."""
    if hashes is not None:
        raise SourceError("Supabase keeps password hashes in auth.users itself: give no hashes file")
    records = _rows(read_text(users, _USERS))
    if now is None:
        from passgate.clock import SystemClock

        now = SystemClock().now()
    return (_record(record, now, keep_metadata) for record in records)


# --- reading the rows ------------------------------------------------------------------------
def _rows(document: str) -> list[RawRecord]:
    if document.lstrip()[:1] in ("[", "{"):
        return json_records(document, _USERS, reread=_undo_copy_escaping)
    return _csv_rows(document)


def _undo_copy_escaping(line: str) -> str:
    """A line of psql's ``\\copy`` text format as the query produced it (backslashes halved)."""
    return line.replace("\\\\", "\\")


def _csv_rows(document: str) -> list[RawRecord]:
    reader = csv.reader(io.StringIO(document, newline=""))
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), [])
        header = [name.strip() for name in header]
        if header and not {"email", "phone"} & set(header):
            raise SourceError(f"the {_USERS} is neither JSON nor CSV with an email or phone column")
        rows: list[RawRecord] = []
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(_csv_row(start, header, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(f"the {_USERS} is not valid CSV ({exc})", reader.line_num) from None
    return rows


def _csv_row(position: int, header: list[str], row: list[str]) -> RawRecord:
    if len(row) != len(header):
        return RawRecord(position, None, f"has {len(row)} fields where the header has {len(header)}")
    return RawRecord(position, dict(zip(header, row, strict=True)))


# --- converting ------------------------------------------------------------------------------
def _record(record: RawRecord, now: float, keep_metadata: bool) -> Record:
    if record.fields is None:
        return refused(record.position, record.problem)
    try:
        data = _user(record.fields, now, keep_metadata)
    except Refusal as refusal:
        return refused(record.position, str(refusal))
    return Record(position=record.position, data=data)


def _user(fields: dict[str, Any], now: float, keep_metadata: bool) -> dict[str, Any]:
    _check_importable(fields)
    email = email_address(fields.get("email"), "email")
    phone = e164(fields.get("phone"), "phone")
    if not (email or phone):
        raise Refusal("no email or phone to sign in with")
    metadata = _json_object(fields.get("raw_user_meta_data"), "raw_user_meta_data")
    return compact(
        {
            "loginIds": login_ids(email, phone),
            "email": email,
            "verifiedEmail": bool(email) and bool(text(fields.get("email_confirmed_at"))),
            "phone": phone,
            "verifiedPhone": bool(phone) and bool(text(fields.get("phone_confirmed_at"))),
            "name": text(metadata.get("full_name")) or text(metadata.get("name")),
            "givenName": text(metadata.get("given_name")),
            "familyName": text(metadata.get("family_name")),
            "picture": text(metadata.get("avatar_url")) or text(metadata.get("picture")),
            "status": "disabled" if _banned(fields.get("banned_until"), now) else None,
            "createdTime": unix_seconds(fields.get("created_at"), "created_at"),
            "customAttributes": metadata if keep_metadata else None,
            "hashedPassword": _password(text(fields.get("encrypted_password"))),
        }
    )


def _check_importable(fields: dict[str, Any]) -> None:
    if text(fields.get("deleted_at")):
        raise Refusal("deleted user (deleted_at is set)")
    if truthy(fields.get("is_anonymous")):
        raise Refusal("anonymous user")
    if truthy(fields.get("is_sso_user")):
        raise Refusal("SSO user: signs in through the identity provider, not a password")


def _json_object(value: object, field: str) -> dict[str, Any]:
    """A jsonb column: an object in JSON rows, JSON text in CSV rows; absent reads as {}."""
    if value is None or value == "":
        return {}
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise Refusal(f"{field} is not a JSON object")
    return parsed


def _banned(value: object, now: float) -> bool:
    until = text(value).lower()
    if until in ("", "-infinity"):
        return False
    if until == "infinity":
        return True
    seconds = unix_seconds(until, "banned_until")
    return seconds is not None and seconds > now


# --- encrypted_password ----------------------------------------------------------------------
_ARGON2 = re.compile(r"\$argon2(id|i|d)\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+(,[^$]*)?\$[^$]+\$[^$]+")
_FBSCRYPT = re.compile(
    r"\$fbscrypt\$v=(?P<v>[0-9]+),n=(?P<n>[0-9]+),r=(?P<r>[0-9]+),p=(?P<p>[0-9]+)"
    r"(?:,ss=(?P<ss>[^,$]*))?(?:,sk=(?P<sk>[^,$]+))?\$(?P<salt>[^$]+)\$(?P<hash>[^$]+)"
)


def _password(value: str) -> dict[str, Any] | None:
    if not value:
        return None
    if is_bcrypt(value):
        return {"bcrypt": {"hash": value}}
    if _ARGON2.fullmatch(value):
        return {"argon2": {"hash": value}}
    if value.startswith("$fbscrypt$"):
        return _firebase_scrypt(value)
    raise Refusal("encrypted_password is not a bcrypt, Argon2 or Firebase scrypt hash")


def _firebase_scrypt(value: str) -> dict[str, Any]:
    """GoTrue's ``$fbscrypt$`` string as a ``firebase`` hash (only version 1 with p=1 fits it)."""
    match = _FBSCRYPT.fullmatch(value)
    if match is None or match["v"] != "1" or match["p"] != "1" or not match["sk"]:
        raise Refusal("encrypted_password is a $fbscrypt$ hash passgate cannot read (needs v=1, p=1 and sk)")
    return {
        "firebase": {
            "hash": standard_base64(match["hash"], "encrypted_password hash"),
            "salt": standard_base64(match["salt"], "encrypted_password salt"),
            "saltSeparator": standard_base64(match["ss"], "encrypted_password ss") if match["ss"] else "",
            "signerKey": standard_base64(match["sk"], "encrypted_password sk"),
            "memory": int(match["n"]),
            "rounds": int(match["r"]),
        }
    }
