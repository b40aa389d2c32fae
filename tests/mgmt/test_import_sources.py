"""The import-source converters (``passgate.mgmt.import_sources``): Auth0, Firebase and Supabase
exports, built here in their real formats with real hashes, turned into passgate import records."""

from __future__ import annotations

import base64
import calendar
import json
import os
import time
import uuid
from typing import Any

import argon2
import bcrypt
import firebase_scrypt
import pytest

from passgate.mgmt.import_sources import SOURCES, Record, SourceError, convert


def utc(stamp: str) -> int:
    """Unix seconds of ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S"))


def bcrypt_hash(password: bytes = b"pw") -> str:
    return bcrypt.hashpw(password, bcrypt.gensalt(4)).decode()


def ndjson(*objects: dict[str, Any]) -> bytes:
    return "".join(json.dumps(item, separators=(",", ":")) + "\n" for item in objects).encode()


def by_position(records: list[Record]) -> dict[int, Record]:
    return {record.position: record for record in records}


def data(record: Record) -> dict[str, Any]:
    assert record.data is not None, record.reason
    return record.data


# --- choosing the source ---------------------------------------------------------------------
def test_sources_are_named() -> None:
    assert SOURCES == ("auth0", "firebase", "supabase")


@pytest.mark.parametrize(
    ("source", "users"),
    [
        (" Auth0 ", ndjson({"email": "a@example.com"})),
        ("FIREBASE", json.dumps({"users": [{"localId": "u1", "email": "a@example.com"}]}).encode()),
        ("SupaBase", ndjson({"id": "1", "email": "a@example.com"})),
    ],
)
def test_source_names_are_case_insensitive(source: str, users: bytes) -> None:
    [record] = convert(source, users)
    assert data(record)["loginIds"] == ["a@example.com"]


def test_unknown_source_is_refused_at_once() -> None:
    with pytest.raises(SourceError) as refused:
        convert("okta", b"{}")  # not iterated: the error comes from the call
    assert "okta" in refused.value.reason
    assert refused.value.position is None


@pytest.mark.parametrize("source", SOURCES)
def test_files_that_are_not_text_are_refused(source: str) -> None:
    with pytest.raises(SourceError, match="gzip"):
        convert(source, b"\x1f\x8b\x08\x00rest")
    with pytest.raises(SourceError, match="UTF-8"):
        convert(source, b'{"email": "\xff"}')


@pytest.mark.parametrize("source", SOURCES)
def test_an_empty_users_file_has_no_users(source: str) -> None:
    assert list(convert(source, b"  \n")) == []


# --- Auth0 -----------------------------------------------------------------------------------
def auth0_user(**fields: Any) -> dict[str, Any]:
    """A database user as the bulk export (format json, default fields) writes one."""
    oid = fields.pop("oid", os.urandom(12).hex())
    email = fields.pop("email", f"{oid}@example.com")
    return {
        "user_id": f"auth0|{oid}",
        "email": email,
        "email_verified": True,
        "name": email,
        "nickname": email.split("@")[0],
        "picture": "https://s.gravatar.com/avatar/x.png",
        "created_at": "2021-03-04T05:06:07.890Z",
        "updated_at": "2023-01-01T00:00:00.000Z",
        "identities": [
            {"connection": "Username-Password-Authentication", "provider": "auth0", "user_id": oid, "isSocial": False}
        ],
        **fields,
    }


def auth0_hash(oid: str, email: str, password_hash: str, **fields: Any) -> dict[str, Any]:
    """One line of the password-hash export Auth0 support sends."""
    return {
        "_id": {"$oid": oid},
        "email_verified": True,
        "email": email,
        "passwordHash": password_hash,
        "password_set_date": {"$date": "2021-03-04T05:06:08.000Z"},
        "tenant": "example-tenant",
        "connection": "Username-Password-Authentication",
        "_tmp_is_unique": True,
        **fields,
    }


def test_auth0_users_map_to_import_records() -> None:
    users = ndjson(
        auth0_user(
            oid="5f0000000000000000000001",
            email="ada@example.com",
            name="Ada Lovelace",
            given_name="Ada",
            family_name="Lovelace",
            phone_number="+15551234567",
            phone_verified=True,
            blocked=True,
            user_metadata={"theme": "dark"},
            app_metadata={"plan": "pro"},
        ),
        auth0_user(oid="5f0000000000000000000002", email="bob@example.com", email_verified=False),
        {
            "user_id": "sms|5f0000000000000000000003",
            "phone_number": "+447700900123",
            "phone_verified": True,
            "created_at": "2022-02-02T02:02:02.000Z",
            "identities": [{"connection": "sms", "provider": "sms", "user_id": "5f0000000000000000000003"}],
        },
        auth0_user(oid="5f0000000000000000000004", email="", username="carol", phone_number="+15557654321"),
        auth0_user(oid="5f0000000000000000000005", email="dan@example.com", username="dan"),
    )
    ada, bob, sms, carol, dan = (data(record) for record in convert("auth0", users))

    assert ada == {
        "loginIds": ["ada@example.com"],
        "email": "ada@example.com",
        "verifiedEmail": True,
        "phone": "+15551234567",
        "verifiedPhone": True,
        "name": "Ada Lovelace",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "picture": "https://s.gravatar.com/avatar/x.png",
        "status": "disabled",
        "createdTime": utc("2021-03-04 05:06:07"),
    }
    assert "verifiedEmail" not in bob  # false flags are left out, as is "enabled"
    assert "status" not in bob
    assert sms == {
        "loginIds": ["+447700900123"],
        "phone": "+447700900123",
        "verifiedPhone": True,
        "createdTime": utc("2022-02-02 02:02:02"),
    }
    assert carol["loginIds"] == ["+15557654321", "carol"]  # phone before username; verified only if Auth0 says so
    assert "verifiedPhone" not in carol
    assert dan["loginIds"] == ["dan@example.com", "dan"]
    for record in (ada, bob, sms, carol, dan):
        assert "userId" not in record
        assert "hashedPassword" not in record


def test_auth0_users_file_may_be_a_json_array() -> None:
    users = json.dumps([auth0_user(email="a@example.com"), auth0_user(email="b@example.com")], indent=2)
    records = list(convert("auth0", users.encode()))
    assert [record.position for record in records] == [1, 2]
    assert [data(record)["email"] for record in records] == ["a@example.com", "b@example.com"]


def test_auth0_hashes_join_by_user_id_then_by_email() -> None:
    by_oid, by_alt, by_email = bcrypt_hash(b"one"), bcrypt_hash(b"two"), bcrypt_hash(b"three")
    alone, clash = bcrypt_hash(b"four"), bcrypt_hash(b"five")
    users = ndjson(
        auth0_user(oid="60aa00000000000000000001", email="one@example.com"),
        # a custom user ID: the hash line has it as alt_id
        auth0_user(oid="euclid", email="two@example.com"),
        # exported without user_id or identities: only the email can pair it
        {"email": "Three@Example.com", "email_verified": True},
        # a social user: same email as a database hash line, another connection
        {
            "user_id": "google-oauth2|1234",
            "email": "five@example.com",
            "email_verified": True,
            "identities": [{"connection": "google-oauth2", "provider": "google-oauth2", "user_id": "1234"}],
        },
    )
    hashes = ndjson(
        auth0_hash("60bb00000000000000000009", "four@example.com", alone),
        auth0_hash("60aa00000000000000000001", "one@example.com", by_oid),
        auth0_hash("60aa00000000000000000002", "two@example.com", by_alt, alt_id="euclid"),
        auth0_hash("60aa00000000000000000003", "three@example.com", by_email),
        auth0_hash("60aa00000000000000000005", "five@example.com", clash),
    )
    records = list(convert("auth0", users, hashes))
    one, two, three, social, hash_only, clashing = records

    assert data(one)["hashedPassword"] == {"bcrypt": {"hash": by_oid}}  # unchanged
    assert data(two)["hashedPassword"] == {"bcrypt": {"hash": by_alt}}
    assert data(three)["hashedPassword"] == {"bcrypt": {"hash": by_email}}
    assert "hashedPassword" not in data(social)

    assert (hash_only.file, hash_only.position) == ("hashes", 1)
    assert data(hash_only) == {
        "loginIds": ["four@example.com"],
        "email": "four@example.com",
        "verifiedEmail": True,
        "hashedPassword": {"bcrypt": {"hash": alone}},
    }
    assert (clashing.file, clashing.position, clashing.data) == ("hashes", 5, None)
    assert "line 4 of the users file" in clashing.reason
    assert all(record.file == "users" for record in (one, two, three, social))


def test_auth0_hashes_file_alone_is_importable() -> None:
    first, second = bcrypt_hash(), bcrypt_hash()
    hashes = ndjson(
        auth0_hash("61000000000000000000000a", "a@example.com", first, email_verified=False),
        # newer exports: the root email may be missing, the identifiers carry it
        {
            "_id": {"$oid": "61000000000000000000000b"},
            "passwordHash": second,
            "connection": "Username-Password-Authentication",
            "identifiers": [{"type": "email", "value": "b@example.com", "verified": True}],
        },
        {"_id": {"$oid": "61000000000000000000000c"}, "passwordHash": bcrypt_hash()},
    )
    a, b, nobody = convert("auth0", b"", hashes)
    assert data(a) == {
        "loginIds": ["a@example.com"],
        "email": "a@example.com",
        "hashedPassword": {"bcrypt": {"hash": first}},
    }
    assert data(b)["loginIds"] == ["b@example.com"]
    assert data(b)["verifiedEmail"] is True
    assert data(b)["hashedPassword"] == {"bcrypt": {"hash": second}}
    assert (nobody.file, nobody.position, nobody.data) == ("hashes", 3, None)
    assert "no email" in nobody.reason


def test_auth0_email_pairing_needs_a_single_candidate() -> None:
    users = ndjson({"email": "twice@example.com"})
    hashes = ndjson(
        auth0_hash("62000000000000000000000a", "twice@example.com", bcrypt_hash(), connection="db-one"),
        auth0_hash("62000000000000000000000b", "twice@example.com", bcrypt_hash(), connection="db-two"),
    )
    user, first, second = convert("auth0", users, hashes)
    assert "hashedPassword" not in data(user)
    assert first.data is None
    assert second.data is None
    assert first.reason == second.reason == "its email belongs to the user on line 1 of the users file"


def test_auth0_bad_lines_are_reported_and_the_others_convert() -> None:
    good = auth0_user(email="good@example.com")
    users = (
        ndjson(good).decode()
        + "{not json\n"
        + "\n"  # blank lines are skipped, but still counted
        + ndjson(
            {"user_id": "auth0|x", "email_verified": True},
            auth0_user(email="phone@example.com", phone_number="call me"),
            auth0_user(email="when@example.com", created_at="last tuesday"),
            auth0_user(email="not-an-address"),
            auth0_user(oid="63000000000000000000000f", email="hash@example.com"),
        ).decode()
        + "[1, 2]\n"
    ).encode()
    hashes = ndjson(auth0_hash("63000000000000000000000f", "hash@example.com", "md5:0cc175b9c0f1b6a8"))
    records = by_position(list(convert("auth0", users, hashes)))
    assert data(records[1])["email"] == "good@example.com"
    reasons = {position: record.reason for position, record in records.items() if record.data is None}
    assert reasons == {
        2: "not valid JSON",
        4: "no email, phone_number or username to sign in with",
        5: "phone_number is not a phone number in E.164 form",
        6: "created_at is not an ISO 8601 time",
        7: "email is not an email address",
        8: "passwordHash (line 1 of the hashes file) is not a bcrypt hash",
        9: "not a JSON object",
    }
    assert not any("md5:" in reason for reason in reasons.values())  # no hash material in reasons


@pytest.mark.parametrize(
    "users",
    [
        b"user_id,email\nauth0|1,a@example.com\n",  # the CSV export
        b"[{'email': 'a@example.com'}]",
        b"{nope\n{also nope}\n",
    ],
)
def test_auth0_unreadable_users_file_raises(users: bytes) -> None:
    with pytest.raises(SourceError, match="Auth0 users file"):
        convert("auth0", users)


def test_a_broken_json_array_is_reported_with_its_line() -> None:
    users = b'[\n  {"email": "a@example.com"},\n  {"email": "b@example.com",,}\n]'
    with pytest.raises(SourceError) as broken:
        convert("auth0", users)
    assert broken.value.position == 3
    assert str(broken.value) == "line 3: the Auth0 users file is not valid JSON"


def test_auth0_unreadable_hashes_file_raises() -> None:
    with pytest.raises(SourceError, match="Auth0 password-hash file"):
        convert("auth0", ndjson(auth0_user()), b"passwordHash,email\n")


def test_auth0_metadata_is_dropped_unless_kept() -> None:
    user = auth0_user(user_metadata={"theme": "dark", "plan": "free"}, app_metadata={"plan": "pro", "roles": ["a"]})
    [dropped] = convert("auth0", ndjson(user))
    [kept] = convert("auth0", ndjson(user), keep_metadata=True)
    assert "customAttributes" not in data(dropped)
    assert data(kept)["customAttributes"] == {"theme": "dark", "plan": "pro", "roles": ["a"]}  # app_metadata wins


# --- Firebase --------------------------------------------------------------------------------
SIGNER_KEY = "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
SALT_SEPARATOR = "Bw=="
HASH_CONFIG = f"""hash_config {{
  algorithm: SCRYPT,
  base64_signer_key: {SIGNER_KEY},
  base64_salt_separator: {SALT_SEPARATOR},
  rounds: 8,
  mem_cost: 14,
}}
""".encode()
# The published vector of github.com/firebase/scrypt's README ("user1password").
README_SALT = "42xEC+ixf3L2lw=="
README_HASH = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="


def firebase_export(*users: dict[str, Any]) -> bytes:
    """The file ``firebase auth:export users.json --format=JSON`` writes."""
    return ('{"users": [\n' + ",\n".join(json.dumps(user, indent=2) for user in users) + "]}").encode()


def firebase_password(password: str, salt: bytes) -> bytes:
    """Firebase's modified scrypt, run here with the README's project parameters."""
    derived = firebase_scrypt.generate_derived_key(password, salt, base64.b64decode(SALT_SEPARATOR), 8, 14)
    return firebase_scrypt.encrypt(base64.b64decode(SIGNER_KEY), derived)


def url_safe_unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_firebase_users_map_to_import_records() -> None:
    users = firebase_export(
        {
            "localId": "Uq0Ji9Vn7AWWvuXuNfnQJ7Ai8uN2",
            "email": "ada@example.com",
            "emailVerified": True,
            "displayName": "Ada Lovelace",
            "photoUrl": "https://lh3.googleusercontent.com/a/ada.jpg",
            "phoneNumber": "+15551234567",
            "disabled": True,
            "createdAt": "1609459200123",
            "lastSignedInAt": "1700000000000",
            "customAttributes": '{"admin":true}',
            "providerUserInfo": [{"providerId": "google.com", "rawId": "1234", "email": "ada@example.com"}],
        },
        {"localId": "p1", "phoneNumber": "+447700900123", "createdAt": "1609459200999", "providerUserInfo": []},
        {"localId": "g1", "providerUserInfo": [{"providerId": "github.com", "rawId": "9", "email": "gh@example.com"}]},
        {"localId": "anon", "createdAt": "1609459200000"},
    )
    ada, phone_only, github, anonymous = convert("firebase", users)
    assert data(ada) == {
        "loginIds": ["ada@example.com", "+15551234567"],
        "email": "ada@example.com",
        "verifiedEmail": True,
        "phone": "+15551234567",
        "verifiedPhone": True,
        "name": "Ada Lovelace",
        "picture": "https://lh3.googleusercontent.com/a/ada.jpg",
        "status": "disabled",
        "createdTime": 1609459200,
    }
    assert data(phone_only) == {
        "loginIds": ["+447700900123"],
        "phone": "+447700900123",
        "verifiedPhone": True,
        "createdTime": 1609459200,
    }
    assert data(github) == {"loginIds": ["gh@example.com"], "email": "gh@example.com"}  # a provider's email: unverified
    assert (anonymous.position, anonymous.data) == (4, None)
    assert anonymous.reason == "anonymous user (no email or phone)"


def test_firebase_password_hashes_come_out_as_standard_base64() -> None:
    salt = os.urandom(12)
    hashed = firebase_password("hunter2hunter2", salt)
    users = firebase_export(
        {"localId": "a", "email": "readme@example.com", "passwordHash": README_HASH, "salt": README_SALT},
        # as the Identity Toolkit API itself gives them: URL-safe, unpadded
        {
            "localId": "b",
            "email": "fresh@example.com",
            "passwordHash": url_safe_unpadded(hashed),
            "salt": url_safe_unpadded(salt),
        },
    )
    readme, fresh = convert("firebase", users, HASH_CONFIG)
    expected = {"saltSeparator": SALT_SEPARATOR, "signerKey": SIGNER_KEY, "memory": 14, "rounds": 8}
    assert data(readme)["hashedPassword"] == {"firebase": {"hash": README_HASH, "salt": README_SALT, **expected}}
    fields = data(fresh)["hashedPassword"]["firebase"]
    assert fields == {"hash": base64.b64encode(hashed).decode(), "salt": base64.b64encode(salt).decode(), **expected}
    assert base64.b64decode(fields["hash"], validate=True) == hashed
    assert base64.b64decode(fields["salt"], validate=True) == salt


def test_firebase_hash_parameters_as_json() -> None:
    users = firebase_export(
        {"localId": "a", "email": "a@example.com", "passwordHash": README_HASH, "salt": README_SALT}
    )
    from_text = [data(record) for record in convert("firebase", users, HASH_CONFIG)]
    snake = {
        "algorithm": "SCRYPT",
        "base64_signer_key": SIGNER_KEY,
        "base64_salt_separator": SALT_SEPARATOR,
        "rounds": 8,
        "mem_cost": 14,
    }
    camel = {
        "hashConfig": {
            "algorithm": "SCRYPT",
            "signerKey": SIGNER_KEY,
            "saltSeparator": SALT_SEPARATOR,
            "rounds": 8,
            "memoryCost": 14,
        }
    }
    for parameters in (snake, camel):
        assert [data(record) for record in convert("firebase", users, json.dumps(parameters).encode())] == from_text


def test_firebase_password_users_need_the_hash_parameters() -> None:
    users = firebase_export(
        {"localId": "a", "email": "pw@example.com", "passwordHash": README_HASH, "salt": README_SALT},
        {"localId": "b", "email": "google@example.com", "emailVerified": True},
    )
    with_password, without = convert("firebase", users)
    assert with_password.data is None
    assert "password hash parameters" in with_password.reason
    assert data(without)["loginIds"] == ["google@example.com"]


@pytest.mark.parametrize(
    ("parameters", "complaint"),
    [
        (HASH_CONFIG.replace(b"SCRYPT", b"HMAC_SHA256"), "only SCRYPT"),
        (HASH_CONFIG.replace(b"rounds: 8", b"rounds: 0"), "rounds"),
        (HASH_CONFIG.replace(b"mem_cost: 14", b"mem_cost: 40"), "mem_cost"),
        (HASH_CONFIG.replace(SIGNER_KEY.encode(), b"not*base64"), "base64_signer_key"),
        (b'{"rounds": 8, "mem_cost": 14}', "base64_signer_key is missing"),
        (b"whatever this is", "no parameters"),
        (b'{"rounds": 8,', "not valid JSON"),
    ],
)
def test_firebase_bad_hash_parameters_raise(parameters: bytes, complaint: str) -> None:
    with pytest.raises(SourceError, match=complaint):
        convert("firebase", firebase_export(), parameters)


def test_firebase_bad_users_are_reported_and_the_others_convert() -> None:
    users = firebase_export(
        {"localId": "a", "email": "ok@example.com"},
        {"localId": "b", "email": "hash@example.com", "passwordHash": "!!not base64!!", "salt": README_SALT},
        {"localId": "c", "email": "salt@example.com", "passwordHash": README_HASH},
        {"localId": "d", "email": "when@example.com", "createdAt": "yesterday"},
    )
    records = list(convert("firebase", users, HASH_CONFIG))
    assert data(records[0])["email"] == "ok@example.com"
    assert [(record.position, record.reason) for record in records[1:]] == [
        (2, "passwordHash is not base64"),
        (3, "salt is missing"),
        (4, "createdAt is not a time in milliseconds"),
    ]


@pytest.mark.parametrize("users", [b'{"users": [', b'{"accounts": []}', b"localId,email\n"])
def test_firebase_unreadable_users_file_raises(users: bytes) -> None:
    with pytest.raises(SourceError, match="Firebase users file"):
        convert("firebase", users)


def test_firebase_custom_claims_are_dropped_unless_kept() -> None:
    users = firebase_export(
        {"localId": "a", "email": "a@example.com", "customAttributes": '{"admin": true, "level": 3}'},
        {"localId": "b", "email": "b@example.com", "customAttributes": "[1, 2]"},
    )
    dropped = list(convert("firebase", users))
    kept = list(convert("firebase", users, keep_metadata=True))
    assert all("customAttributes" not in data(record) for record in dropped)
    assert data(kept[0])["customAttributes"] == {"admin": True, "level": 3}
    assert (kept[1].data, kept[1].reason) == (None, "customAttributes is not a JSON object")


# --- Supabase --------------------------------------------------------------------------------
AUTH_USERS_COLUMNS = [
    "instance_id",
    "id",
    "aud",
    "role",
    "email",
    "encrypted_password",
    "email_confirmed_at",
    "invited_at",
    "confirmation_token",
    "confirmation_sent_at",
    "recovery_token",
    "recovery_sent_at",
    "email_change_token_new",
    "email_change",
    "email_change_sent_at",
    "last_sign_in_at",
    "raw_app_meta_data",
    "raw_user_meta_data",
    "is_super_admin",
    "created_at",
    "updated_at",
    "phone",
    "phone_confirmed_at",
    "phone_change",
    "phone_change_token",
    "phone_change_sent_at",
    "confirmed_at",
    "email_change_token_current",
    "email_change_confirm_status",
    "banned_until",
    "reauthentication_token",
    "reauthentication_sent_at",
    "is_sso_user",
    "deleted_at",
    "is_anonymous",
]
NOW = utc("2025-06-01 00:00:00")


def supabase_row(**fields: Any) -> dict[str, Any]:
    """An ``auth.users`` row, as ``row_to_json`` gives it (absent columns are null)."""
    row: dict[str, Any] = dict.fromkeys(AUTH_USERS_COLUMNS)
    row |= {
        "instance_id": "00000000-0000-0000-0000-000000000000",
        "id": str(uuid.uuid4()),
        "aud": "authenticated",
        "role": "authenticated",
        "raw_app_meta_data": {"provider": "email", "providers": ["email"]},
        "raw_user_meta_data": {},
        "created_at": "2024-01-02T03:04:05.123456+00:00",
        "updated_at": "2024-01-02T03:04:05.123456+00:00",
        "phone_change": "",
        "email_change_confirm_status": 0,
        "is_sso_user": False,
        "is_anonymous": False,
    }
    return row | fields


def psql_csv(rows: list[dict[str, Any]]) -> bytes:
    """``\\copy auth.users to 'users.csv' csv header``: NULL empty, booleans t/f, jsonb as text."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "t" if value else "f"
        shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
        if _is_time(shown):  # psql's timestamptz text: "2024-01-02 03:04:05.123456+00"
            shown = shown.replace("T", " ", 1).removesuffix(":00")
        if shown == "" or any(character in shown for character in ',"\n'):
            return '"' + shown.replace('"', '""') + '"'
        return shown

    lines = [",".join(AUTH_USERS_COLUMNS)] + [
        ",".join(cell(row[column]) for column in AUTH_USERS_COLUMNS) for row in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def _is_time(value: str) -> bool:
    return len(value) > 19 and value[4] == "-" and value[10] == "T"


def supabase_users() -> tuple[list[dict[str, Any]], dict[str, str]]:
    hashes = {
        "bcrypt": bcrypt_hash(b"s3cret").replace("$2b$", "$2a$", 1),
        "argon2": argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw"),
    }
    rows = [
        supabase_row(
            email="ada@example.com",
            encrypted_password=hashes["bcrypt"],
            email_confirmed_at="2024-01-02T03:05:00.000000+00:00",
            raw_user_meta_data={
                "full_name": "Ada Lovelace",
                "avatar_url": "https://example.com/ada.png",
                "plan": "pro",
            },
        ),
        supabase_row(
            phone="15551234567",
            phone_confirmed_at="2024-01-02T03:05:00+00:00",
            encrypted_password="",
            raw_app_meta_data={"provider": "phone", "providers": ["phone"]},
        ),
        supabase_row(
            email="banned@example.com", encrypted_password=hashes["argon2"], banned_until="2125-01-01T00:00:00+00:00"
        ),
        supabase_row(email="was-banned@example.com", banned_until="2025-01-01T00:00:00+00:00"),
        supabase_row(email="gone@example.com", deleted_at="2024-05-05T00:00:00+00:00"),
        supabase_row(is_anonymous=True),
        supabase_row(email="sso@corp.example", is_sso_user=True),
        supabase_row(
            email="oauth@example.com",
            raw_user_meta_data={
                "name": "O. Auth",
                "picture": "https://example.com/o.png",
                "email": "oauth@example.com",
            },
        ),
    ]
    return rows, hashes


def check_supabase_records(records: list[Record], hashes: dict[str, str], first_line: int) -> None:
    positions = [record.position for record in records]
    assert positions == list(range(first_line, first_line + 8))
    ada, phone, banned, was_banned, gone, anonymous, sso, oauth = records
    assert data(ada) == {
        "loginIds": ["ada@example.com"],
        "email": "ada@example.com",
        "verifiedEmail": True,
        "name": "Ada Lovelace",
        "picture": "https://example.com/ada.png",
        "createdTime": utc("2024-01-02 03:04:05"),
        "hashedPassword": {"bcrypt": {"hash": hashes["bcrypt"]}},
    }
    assert data(phone) == {
        "loginIds": ["+15551234567"],
        "phone": "+15551234567",
        "verifiedPhone": True,
        "createdTime": utc("2024-01-02 03:04:05"),
    }
    assert data(banned)["status"] == "disabled"
    assert data(banned)["hashedPassword"] == {"argon2": {"hash": hashes["argon2"]}}
    assert "verifiedEmail" not in data(banned)
    assert "status" not in data(was_banned)  # the ban ran out before NOW
    assert (gone.data, gone.reason) == (None, "deleted user (deleted_at is set)")
    assert (anonymous.data, anonymous.reason) == (None, "anonymous user")
    assert sso.data is None
    assert sso.reason.startswith("SSO user")
    assert (data(oauth)["name"], data(oauth)["picture"]) == ("O. Auth", "https://example.com/o.png")


def test_supabase_json_lines_from_row_to_json() -> None:
    rows, hashes = supabase_users()
    records = list(convert("supabase", ndjson(*rows), now=NOW))
    check_supabase_records(records, hashes, first_line=1)


def test_supabase_json_array() -> None:
    rows, hashes = supabase_users()
    records = list(convert("supabase", json.dumps(rows).encode(), now=NOW))
    check_supabase_records(records, hashes, first_line=1)


def test_supabase_csv_with_header() -> None:
    rows, hashes = supabase_users()
    users = psql_csv(rows)
    assert b",2024-01-02 03:04:05.123456+00," in users
    records = list(convert("supabase", users, now=NOW))
    check_supabase_records(records, hashes, first_line=2)  # line 1 is the header


def test_supabase_copy_text_format_escaping_is_undone() -> None:
    row = supabase_row(email="quote@example.com", raw_user_meta_data={"full_name": 'Ada "the Countess" L.'})
    line = json.dumps(row).replace("\\", "\\\\")  # what psql's \copy text format writes
    assert '\\\\"' in line
    [record] = convert("supabase", (line + "\n").encode(), now=NOW)
    assert data(record)["name"] == 'Ada "the Countess" L.'


def test_supabase_firebase_scrypt_hashes() -> None:
    fbscrypt = f"$fbscrypt$v=1,n=14,r=8,p=1,ss={SALT_SEPARATOR},sk={SIGNER_KEY}${README_SALT}${README_HASH}"
    users = ndjson(
        supabase_row(email="fb@example.com", encrypted_password=fbscrypt),
        supabase_row(email="p2@example.com", encrypted_password=fbscrypt.replace(",p=1,", ",p=2,")),
        supabase_row(email="odd@example.com", encrypted_password="$pbkdf2-sha256$29000$abc$def"),
    )
    fb, p2, odd = convert("supabase", users, now=NOW)
    assert data(fb)["hashedPassword"] == {
        "firebase": {
            "hash": README_HASH,
            "salt": README_SALT,
            "saltSeparator": SALT_SEPARATOR,
            "signerKey": SIGNER_KEY,
            "memory": 14,
            "rounds": 8,
        }
    }
    assert p2.data is None
    assert "p=1" in p2.reason
    assert (odd.data, odd.reason) == (None, "encrypted_password is not a bcrypt, Argon2 or Firebase scrypt hash")


def test_supabase_bad_rows_are_reported_and_the_others_convert() -> None:
    users = (
        ndjson(supabase_row(email="ok@example.com")).decode()
        + '{"email": "broken@example.com", \n'
        + ndjson(
            supabase_row(email="", phone=""),
            supabase_row(email="meta@example.com", raw_user_meta_data="not json"),
            supabase_row(phone="12"),
        ).decode()
    ).encode()
    records = list(convert("supabase", users, now=NOW))
    assert data(records[0])["email"] == "ok@example.com"
    assert [(record.position, record.reason) for record in records[1:]] == [
        (2, "not valid JSON"),
        (3, "no email or phone to sign in with"),
        (4, "raw_user_meta_data is not a JSON object"),
        (5, "phone is not a phone number in E.164 form"),
    ]
    header = ",".join(AUTH_USERS_COLUMNS)
    short = (header + "\n" + "x,y\n").encode()
    [row] = convert("supabase", short, now=NOW)
    assert (row.position, row.data) == (2, None)
    assert row.reason == f"has 2 fields where the header has {len(AUTH_USERS_COLUMNS)}"


@pytest.mark.parametrize("users", [b"id;mail\n1;a@example.com\n", b"[{'email': 1}]", b"{x\n{y\n"])
def test_supabase_unreadable_users_file_raises(users: bytes) -> None:
    with pytest.raises(SourceError, match="Supabase users file"):
        convert("supabase", users, now=NOW)


def test_supabase_takes_no_hashes_file() -> None:
    with pytest.raises(SourceError, match="no hashes file"):
        convert("supabase", ndjson(supabase_row(email="a@example.com")), b"{}")


def test_supabase_metadata_is_dropped_unless_kept() -> None:
    meta = {"full_name": "Ada", "plan": "pro", "prefs": {"theme": "dark"}}
    row = supabase_row(email="a@example.com", raw_user_meta_data=meta)
    [dropped] = convert("supabase", ndjson(row), now=NOW)
    [kept] = convert("supabase", psql_csv([row]), keep_metadata=True, now=NOW)
    assert "customAttributes" not in data(dropped)
    assert data(dropped)["name"] == "Ada"
    assert data(kept)["customAttributes"] == meta


def test_supabase_ban_is_judged_against_now() -> None:
    row = supabase_row(email="a@example.com", banned_until="2025-06-01T00:00:01+00:00")
    [before] = convert("supabase", ndjson(row), now=NOW)
    [after] = convert("supabase", ndjson(row), now=NOW + 2)
    [forever] = convert("supabase", psql_csv([supabase_row(email="b@example.com", banned_until="infinity")]), now=NOW)
    assert data(before)["status"] == "disabled"
    assert "status" not in data(after)
    assert data(forever)["status"] == "disabled"
