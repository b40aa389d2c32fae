"""Firebase Authentication exports to passgate import records.

The users file is what firebase-tools writes for ``firebase auth:export users.json
--format=JSON``: ``{"users": [{…}, …]}`` (a bare array of the same objects is read too), each
user with ``localId``, ``email``, ``emailVerified``, ``passwordHash``, ``salt``,
``displayName`` (→ name), ``photoUrl`` (→ picture), ``phoneNumber`` (→ phone, verified: Firebase
only holds numbers it has verified by SMS), ``disabled``, ``createdAt`` and ``lastSignedInAt``
(milliseconds, as strings), ``customAttributes`` (the custom claims, a JSON string), ``mfaInfo``
and ``providerUserInfo``. ``localId``, ``lastSignedInAt`` and ``mfaInfo`` are not carried.
Users are numbered by their place in the ``users`` list (the file is pretty-printed, so lines
mean nothing).

firebase-tools (src/accountExporter.ts) rewrites ``passwordHash`` and ``salt`` from the API's
URL-safe base64 into standard base64, and leaves both out for users whose hash is not the
project's current scrypt. Either variant, padded or not, is read here; the record carries
standard base64 with padding.

The optional hashes input is the project's "Password hash parameters" (Firebase console →
Authentication → Users → ⋮ above the user list), pasted as shown::

    hash_config {
      algorithm: SCRYPT,
      base64_signer_key: jxspr8Ki0RYy…,
      base64_salt_separator: Bw==,
      rounds: 8,
      mem_cost: 14,
    }

or the same keys as a JSON object (``signerKey``/``saltSeparator``/``memoryCost``, as the
Identity Platform API names them, are read too). The algorithm must be SCRYPT, Firebase's
modified scrypt. A user with a password hash and no parameters given is refused.

Login IDs: the email, else the phone number, else the email of the first linked provider
(``providerUserInfo``), taken as unverified. Anonymous users (none of those) are refused.

Metadata (``keep_metadata``): the custom claims (``customAttributes``, parsed) go into
``customAttributes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from passgate.mgmt.import_sources import (
    RawRecord,
    Record,
    Refusal,
    SourceError,
    compact,
    e164,
    email_address,
    login_ids,
    read_text,
    refused,
    standard_base64,
    text,
    truthy,
)

_USERS, _PARAMETERS = "Firebase users file", "Firebase password hash parameters"


@dataclass(frozen=True)
class HashConfig:
    """The project-wide parameters of Firebase's modified scrypt (base64 values standard)."""

    signer_key: str
    salt_separator: str
    rounds: int
    mem_cost: int


def convert(users: bytes, hashes: bytes | None, *, keep_metadata: bool) -> Iterator[Record]:
    """Parse the export and the hash parameters now; the iterator converts the users."""
    records = _user_records(read_text(users, _USERS))
    config = hash_config(hashes) if hashes is not None and hashes.strip() else None
    return (_record(record, config, keep_metadata) for record in records)


# --- the users file --------------------------------------------------------------------------
def _user_records(document_text: str) -> list[RawRecord]:
    if not document_text.strip():
        return []
    try:
        document = json.loads(document_text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"the {_USERS} is not valid JSON", exc.lineno) from None
    users = document.get("users") if isinstance(document, dict) else document
    if not isinstance(users, list):
        raise SourceError(f'the {_USERS} has no "users" list')
    return [
        RawRecord(position, user) if isinstance(user, dict) else RawRecord(position, None, "not a JSON object")
        for position, user in enumerate(users, 1)
    ]


# --- the hash parameters ---------------------------------------------------------------------
_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*:\s*(.*?)\s*,?\s*$")
_ALIASES = {"memorycost": "memcost"}


def hash_config(data: bytes) -> HashConfig:
    """The console's ``hash_config { … }`` block, or a JSON object of the same keys, checked."""
    values = _parameters(read_text(data, _PARAMETERS))
    algorithm = str(values.get("algorithm", "SCRYPT")).upper()
    if algorithm != "SCRYPT":
        raise SourceError(f"the {_PARAMETERS} name {algorithm[:20]}: only SCRYPT (Firebase's scrypt) is supported")
    try:
        return HashConfig(
            signer_key=standard_base64(values.get("signerkey"), "base64_signer_key"),
            salt_separator=_salt_separator(values.get("saltseparator")),
            rounds=_whole(values.get("rounds"), "rounds", 1, 8),
            mem_cost=_whole(values.get("memcost"), "mem_cost", 1, 14),
        )
    except Refusal as refusal:
        raise SourceError(f"the {_PARAMETERS}: {refusal}") from None


def _parameters(block: str) -> dict[str, object]:
    """The parameters by canonical key (lower case, no ``_``, no ``base64`` prefix)."""
    stripped = block.strip()
    found: dict[str, object] = {}
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError:
            raise SourceError(f"the {_PARAMETERS} are not valid JSON") from None
        nested = document.get("hash_config", document.get("hashConfig")) if isinstance(document, dict) else None
        source = nested if isinstance(nested, dict) else document
        found = dict(source) if isinstance(source, dict) else {}
    else:
        found = {match[1]: match[2].strip("\"'") for line in block.splitlines() if (match := _LINE.match(line))}
    canonical = {_canonical(key): value for key, value in found.items()}
    if not canonical:
        raise SourceError(f"the {_PARAMETERS} hold no parameters")
    return canonical


def _canonical(key: str) -> str:
    bare = key.lower().replace("_", "").removeprefix("base64")
    return _ALIASES.get(bare, bare)


def _salt_separator(value: object) -> str:
    if value == "":
        return ""
    return standard_base64(value, "base64_salt_separator")


def _whole(value: object, field: str, low: int, high: int) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if number is None or not low <= number <= high:
        raise Refusal(f"{field} must be a whole number from {low} to {high}")
    return number


# --- converting ------------------------------------------------------------------------------
def _record(record: RawRecord, config: HashConfig | None, keep_metadata: bool) -> Record:
    if record.fields is None:
        return refused(record.position, record.problem)
    try:
        data = _user(record.fields, config, keep_metadata)
    except Refusal as refusal:
        return refused(record.position, str(refusal))
    return Record(position=record.position, data=data)


def _user(fields: dict[str, Any], config: HashConfig | None, keep_metadata: bool) -> dict[str, Any]:
    email = email_address(fields.get("email"), "email")
    verified = bool(email) and truthy(fields.get("emailVerified"))
    email = email or email_address(_provider_email(fields), "providerUserInfo email")
    phone = e164(fields.get("phoneNumber"), "phoneNumber")
    if not (email or phone):
        linked = isinstance(fields.get("providerUserInfo"), list) and bool(fields["providerUserInfo"])
        raise Refusal("no email or phone number to sign in with" if linked else "anonymous user (no email or phone)")
    return compact(
        {
            "loginIds": login_ids(email, phone),
            "email": email,
            "verifiedEmail": verified,
            "phone": phone,
            "verifiedPhone": bool(phone),
            "name": text(fields.get("displayName")),
            "picture": text(fields.get("photoUrl")),
            "status": "disabled" if truthy(fields.get("disabled")) else None,
            "createdTime": _seconds(fields.get("createdAt")),
            "customAttributes": _claims(fields.get("customAttributes")) if keep_metadata else None,
            "hashedPassword": _password(fields, config),
        }
    )


def _provider_email(fields: dict[str, Any]) -> str:
    providers = fields.get("providerUserInfo")
    for provider in providers if isinstance(providers, list) else []:
        if isinstance(provider, dict) and text(provider.get("email")):
            return text(provider.get("email"))
    return ""


def _seconds(milliseconds: object) -> int | None:
    """``createdAt`` (milliseconds since the epoch, a string in the export) in seconds."""
    if milliseconds is None or milliseconds == "":
        return None
    digits = str(milliseconds).strip()
    if isinstance(milliseconds, bool) or not digits.isdigit():
        raise Refusal("createdAt is not a time in milliseconds")
    return int(digits) // 1000


def _claims(value: object) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    try:
        claims = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        claims = None
    if not isinstance(claims, dict):
        raise Refusal("customAttributes is not a JSON object")
    return claims


def _password(fields: dict[str, Any], config: HashConfig | None) -> dict[str, Any] | None:
    if not text(fields.get("passwordHash")):
        return None
    if config is None:
        raise Refusal("has a password hash: the project's password hash parameters are needed to import it")
    return {
        "firebase": {
            "hash": standard_base64(fields.get("passwordHash"), "passwordHash"),
            "salt": standard_base64(fields.get("salt"), "salt"),
            "saltSeparator": config.salt_separator,
            "signerKey": config.signer_key,
            "memory": config.mem_cost,
            "rounds": config.rounds,
        }
    }
