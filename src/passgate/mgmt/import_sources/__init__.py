"""Converters from other auth systems' user exports to passgate's import records.

One module a source, each stating the export it reads and which console or command makes it:

* ``auth0``: Auth0's bulk user export (NDJSON) and, optionally, the password-hash export that
  Auth0 support sends on request (NDJSON);
* ``firebase``: what ``firebase auth:export users.json --format=JSON`` writes and, optionally,
  the project's "Password hash parameters" block from the Firebase console;
* ``supabase``: rows of Supabase's ``auth.users`` table as JSON lines, a JSON array, or CSV with
  a header row.

``convert`` yields one ``Record`` a source user, in source order. ``data`` is a passgate import
record, named as Descope's User object (``loginIds`` first, the primary login ID at its head;
empty and false fields left out; ``userId``, roles and tenants never set), or ``None`` with a
short ``reason`` that names no secret. One bad user never stops the others; a file that cannot
be read at all, or an unknown source, raises ``SourceError``. Pure functions: no storage, no
network, no clock (Supabase's ``banned_until`` is compared with the ``now`` given, else the wall
clock through ``passgate.clock``).

Metadata: passgate accepts only the custom attributes its project defines, so source metadata
(Auth0's ``user_metadata``/``app_metadata``, Firebase's ``customAttributes``, Supabase's
``raw_user_meta_data``) is dropped beyond the names and picture mapped from it. With
``keep_metadata=True`` its top-level keys go into ``customAttributes`` unchanged (each module
says which object it takes).

The rest of this module is the vocabulary the three converters share: reading the bytes,
splitting JSON records, and the field checks (E.164 phones, ISO 8601 times, base64, bcrypt).
A check that fails raises ``Refusal``, which the converter turns into a refused ``Record``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

SOURCES: tuple[str, ...] = ("auth0", "firebase", "supabase")


class SourceError(ValueError):
    """A whole export could not be read, or the source is not one of ``SOURCES``.

    ``position`` is the 1-based line where reading failed, when there is one.
    """

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(reason if position is None else f"line {position}: {reason}")


@dataclass(frozen=True)
class Record:
    """One converted user (``data``), or one that could not be converted (``data`` None).

    ``position`` is 1-based: the line number for NDJSON and CSV, the element number for a JSON
    array. ``file`` says which input it counts in: ``"hashes"`` only for Auth0 users that come
    from the password-hash export alone.
    """

    position: int
    data: dict[str, Any] | None
    reason: str = ""
    file: Literal["users", "hashes"] = "users"


def convert(
    source: str,
    users: bytes,
    hashes: bytes | None = None,
    *,
    keep_metadata: bool = False,
    now: float | None = None,
) -> Iterator[Record]:
    """Read ``users`` (and ``hashes``) as ``source``'s export; the files are parsed now, the users
    converted as the iterator is consumed. ``now`` (unix seconds) only matters to Supabase."""
    name = source.strip().lower()
    if name == "auth0":
        from passgate.mgmt.import_sources import auth0

        return auth0.convert(users, hashes, keep_metadata=keep_metadata)
    if name == "firebase":
        from passgate.mgmt.import_sources import firebase

        return firebase.convert(users, hashes, keep_metadata=keep_metadata)
    if name == "supabase":
        from passgate.mgmt.import_sources import supabase

        return supabase.convert(users, hashes, keep_metadata=keep_metadata, now=now)
    raise SourceError(f"unknown source {source[:40]!r}: expected one of {', '.join(SOURCES)}")


# --- shared by the converters --------------------------------------------------------------
class Refusal(Exception):
    """One user cannot be converted; the message is the refused ``Record``'s reason."""


@dataclass(frozen=True)
class RawRecord:
    """One user as the export has it: ``fields``, or ``None`` with the ``problem`` found."""

    position: int
    fields: dict[str, Any] | None
    problem: str = ""


def read_text(data: bytes, what: str) -> str:
    """The export's bytes as text (UTF-8, a byte-order mark allowed)."""
    if data[:2] == b"\x1f\x8b":
        raise SourceError(f"the {what} is gzip-compressed: decompress it first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"the {what} is not UTF-8 text (byte {exc.start + 1})") from None


def json_records(text: str, what: str, *, reread: Callable[[str], str] | None = None) -> list[RawRecord]:
    """The users in a JSON array, a single JSON object, or NDJSON (one object a line).

    Array elements are numbered from 1, NDJSON lines by their line number. An NDJSON line that
    is not JSON is one refused user, unless ``reread`` (a second reading of the line) makes it
    JSON; a file in which no line is JSON raises ``SourceError``.
    """
    stripped = text.strip()
    if not stripped:
        return []
    if stripped[0] not in "[{":
        raise SourceError(f"the {what} is not JSON")
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if stripped[0] == "[":
            raise SourceError(f"the {what} is not valid JSON", exc.lineno) from None
        return _json_lines(text, what, reread)
    if isinstance(whole, list):
        return [_raw(position, value) for position, value in enumerate(whole, 1)]
    return [_raw(text[: text.index("{")].count("\n") + 1, whole)]


def _json_lines(text: str, what: str, reread: Callable[[str], str] | None) -> list[RawRecord]:
    records = [_json_line(position, line, reread) for position, line in enumerate(text.splitlines(), 1) if line.strip()]
    if all(record.problem == "not valid JSON" for record in records):
        raise SourceError(f"the {what} is neither JSON nor JSON lines")
    return records


def _json_line(position: int, line: str, reread: Callable[[str], str] | None) -> RawRecord:
    for reading in (line, reread(line) if reread else None):
        if reading is None:
            continue
        try:
            return _raw(position, json.loads(reading))
        except json.JSONDecodeError:
            pass
    return RawRecord(position, None, "not valid JSON")


def _raw(position: int, value: object) -> RawRecord:
    if isinstance(value, dict):
        return RawRecord(position, value)
    return RawRecord(position, None, "not a JSON object")


def refused(position: int, reason: str, file: Literal["users", "hashes"] = "users") -> Record:
    """A ``Record`` for a user that could not be converted."""
    return Record(position=position, data=None, reason=reason, file=file)


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without the absent, empty and false ones (an import record stays small)."""
    return {
        key: value
        for key, value in fields.items()
        if value is not None and value is not False and value not in ("", [], {})
    }


def text(value: object) -> str:
    """A string field, trimmed; anything else (absent, null, a number) reads as empty."""
    return value.strip() if isinstance(value, str) else ""


def truthy(value: object) -> bool:
    """A boolean field as JSON (``true``) or as text (``"true"``, PostgreSQL's ``"t"``) has it."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "t"}
    return value is True


def email_address(value: object, field: str) -> str:
    """An email field, or "" when absent; a value that cannot be an address is refused."""
    address = text(value)
    if address and (address.count("@") != 1 or address.startswith("@") or address.endswith("@")):
        raise Refusal(f"{field} is not an email address")
    if any(character.isspace() for character in address):
        raise Refusal(f"{field} is not an email address")
    return address


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def e164(value: object, field: str) -> str:
    """A phone field in E.164 (``+15551234567``), or "" when absent.

    Spaces, dots, dashes and brackets are dropped and a missing ``+`` is supplied (Supabase
    stores the digits alone); anything else that is not E.164 is refused.
    """
    digits = _PHONE_PUNCTUATION.sub("", text(value))
    if not digits:
        return ""
    phone = digits if digits.startswith("+") else f"+{digits}"
    if not _E164.fullmatch(phone):
        raise Refusal(f"{field} is not a phone number in E.164 form")
    return phone


def unix_seconds(value: object, field: str) -> int | None:
    """An ISO 8601 time (a zone-less one is UTC) as unix seconds, or None when absent."""
    stamp = text(value)
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        raise Refusal(f"{field} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.floor(moment.timestamp())


_URL_SAFE = str.maketrans("-_", "+/")


def standard_base64(value: object, field: str) -> str:
    """Base64 in any variant (standard or URL-safe, padded or not) as standard, padded base64."""
    if not isinstance(value, str) or not value.strip():
        raise Refusal(f"{field} is missing")
    bare = "".join(value.split()).translate(_URL_SAFE).rstrip("=")
    try:
        raw = base64.b64decode(bare + "=" * (-len(bare) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(f"{field} is not base64") from None
    return base64.b64encode(raw).decode("ascii")


_BCRYPT = re.compile(r"\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}")


def is_bcrypt(value: str) -> bool:
    """Whether ``value`` is a modular-crypt bcrypt hash (``$2a$``/``$2b$``/``$2x$``/``$2y$``)."""
    return _BCRYPT.fullmatch(value) is not None


def login_ids(*candidates: str) -> list[str]:
    """The non-empty candidates, in order and each once: the first is the primary login ID."""
    return list(dict.fromkeys(candidate for candidate in candidates if candidate))
