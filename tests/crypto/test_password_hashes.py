"""password_hashes: native argon2id, and every imported kind checked against vectors its own library makes.

Costs are the smallest each library accepts where the test chooses them (bcrypt 4, argon2 1 MiB,
scrypt N = 2**10, pbkdf2 1000), so the file runs in a few seconds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

import bcrypt
import firebase_scrypt
import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type, hash_secret, hash_secret_raw

from passgate.crypto.password_hashes import (
    Argon2Parameters,
    exported_form,
    hash_password,
    needs_rehash,
    stored_form,
    verify_password,
)

PASSWORD = "correct horse ☃ battery staple"  # non-ASCII: passwords are UTF-8
WRONG = "correct horse battery staple"
SECRET = PASSWORD.encode("utf-8")
NATIVE = Argon2Parameters(memory_kib=2048, time_cost=1, parallelism=1)

# Firebase's published example (github.com/firebase/scrypt, README "Password Hashing").
FIREBASE_README: dict[str, Any] = {
    "hash": "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
    "salt": "42xEC+ixf3L2lw==",
    "saltSeparator": "Bw==",
    "signerKey": "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
    "memory": 14,
    "rounds": 8,
}
FIREBASE_README_PASSWORD = "user1password"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def assert_imports(hashed: dict[str, Any], password: str = PASSWORD, wrong: str = WRONG) -> str:
    """The checks every imported kind passes; returns its stored form."""
    stored = stored_form(hashed)
    assert verify_password(stored, password)
    assert not verify_password(stored, wrong)
    assert needs_rehash(stored, NATIVE)
    assert stored_form(exported_form(stored)) == stored
    return stored


# --- vectors made by the library that makes each kind ------------------------------------
def bcrypt_2b() -> dict[str, Any]:
    return {"bcrypt": {"hash": bcrypt.hashpw(SECRET, bcrypt.gensalt(4)).decode()}}


def bcrypt_2a() -> dict[str, Any]:
    return {"bcrypt": {"hash": bcrypt.hashpw(SECRET, bcrypt.gensalt(4, prefix=b"2a")).decode()}}


def bcrypt_2y() -> dict[str, Any]:
    # PHP writes $2y$ for the same algorithm as $2b$; the bcrypt library does not write it, so relabel.
    made = bcrypt.hashpw(SECRET, bcrypt.gensalt(4)).decode()
    return {"bcrypt": {"hash": "$2y$" + made.removeprefix("$2b$")}}


def argon2id_phc() -> dict[str, Any]:
    return {"argon2": {"hash": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)}}


def argon2i_phc() -> dict[str, Any]:
    made = hash_secret(
        SECRET, secrets.token_bytes(16), time_cost=2, memory_cost=1024, parallelism=1, hash_len=32, type=Type.I
    )
    return {"argon2": {"hash": made.decode()}}


def argon2_go_fields() -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    raw = hash_secret_raw(SECRET, salt, time_cost=2, memory_cost=1024, parallelism=2, hash_len=32, type=Type.ID)
    return {"argon2": {"hash": b64(raw), "salt": b64(salt), "iterations": 2, "memory": 1024, "threads": 2}}


def pbkdf2_of(digest: str) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        salt = secrets.token_bytes(16)
        derived = hashlib.pbkdf2_hmac(digest, SECRET, salt, 1000)
        return {"pbkdf2": {"hash": b64(derived), "salt": b64(salt), "iterations": 1000, "type": digest}}

    return make


def scrypt_vector() -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(SECRET, salt=salt, n=2**10, r=8, p=2, dklen=32)
    return {"scrypt": {"hash": b64(derived), "salt": b64(salt), "n": 2**10, "r": 8, "p": 2}}


def sha_of(digest: str, position: str | None) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        salt = secrets.token_bytes(8)
        message = salt + SECRET if position in ("prefix", None) else SECRET + salt
        fields: dict[str, Any] = {"hash": hashlib.new(digest, message).hexdigest(), "type": digest, "salt": salt.hex()}
        if position is not None:
            fields["saltPosition"] = position
        return {"sha": fields}

    return make


def sha_suffix_without_position() -> dict[str, Any]:
    salt = secrets.token_bytes(8)
    return {"sha": {"hash": hashlib.sha256(SECRET + salt).hexdigest(), "type": "sha256", "salt": salt.hex()}}


def sha_unsalted() -> dict[str, Any]:
    return {"sha": {"hash": hashlib.sha1(SECRET).hexdigest().upper(), "type": "sha1"}}


def md5_vector() -> dict[str, Any]:
    return {"md5": {"hash": hashlib.md5(SECRET).hexdigest()}}


def firebase_vector() -> dict[str, Any]:
    salt, separator, signer_key = secrets.token_bytes(12), b"\x07", secrets.token_bytes(64)
    derived = firebase_scrypt.generate_derived_key(PASSWORD, salt, separator, 8, 12)
    hashed = firebase_scrypt.encrypt(signer_key, derived)
    fields = {"salt": b64(salt), "saltSeparator": b64(separator), "signerKey": b64(signer_key)}
    return {"firebase": {"hash": b64(hashed), **fields, "memory": 12, "rounds": 8}}


VECTORS: dict[str, Callable[[], dict[str, Any]]] = {
    "bcrypt-2b": bcrypt_2b,
    "bcrypt-2a": bcrypt_2a,
    "bcrypt-2y": bcrypt_2y,
    "argon2id-phc": argon2id_phc,
    "argon2i-phc": argon2i_phc,
    "argon2-go-fields": argon2_go_fields,
    "pbkdf2-sha1": pbkdf2_of("sha1"),
    "pbkdf2-sha256": pbkdf2_of("sha256"),
    "pbkdf2-sha512": pbkdf2_of("sha512"),
    "scrypt": scrypt_vector,
    "sha1-prefix": sha_of("sha1", "prefix"),
    "sha256-suffix": sha_of("sha256", "suffix"),
    "sha512-no-position-prefix": sha_of("sha512", None),
    "sha256-no-position-suffix": sha_suffix_without_position,
    "sha1-unsalted": sha_unsalted,
    "md5": md5_vector,
    "firebase-scrypt-package": firebase_vector,
}


@pytest.mark.parametrize("make", VECTORS.values(), ids=VECTORS.keys())
def test_imported_hash_verifies_and_is_rehashed(make: Callable[[], dict[str, Any]]) -> None:
    assert_imports(make())


def test_firebase_readme_vector() -> None:
    stored = assert_imports({"firebase": FIREBASE_README}, FIREBASE_README_PASSWORD, "user2password")
    assert firebase_scrypt.verify_password(
        FIREBASE_README_PASSWORD,
        FIREBASE_README["hash"],
        FIREBASE_README["salt"],
        FIREBASE_README["saltSeparator"],
        FIREBASE_README["signerKey"],
        8,
        14,
    )
    assert json.loads(stored) == {"firebase": FIREBASE_README}


def test_bcrypt_reads_only_72_bytes() -> None:
    long_password = "é" * 50  # 100 bytes in UTF-8
    made = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(4)).decode()
    stored = stored_form({"bcrypt": {"hash": made}})
    assert verify_password(stored, long_password)
    assert verify_password(stored, "é" * 36 + "anything after byte 72")
    assert not verify_password(stored, "é" * 35)


def test_bcrypt_and_phc_are_stored_as_given() -> None:
    for make in (bcrypt_2y, argon2i_phc, argon2id_phc):
        hashed = make()
        [fields] = hashed.values()
        assert stored_form(hashed) == fields["hash"]


def test_argon2_go_fields_become_the_phc_string_argon2_makes() -> None:
    salt = secrets.token_bytes(16)
    raw = hash_secret_raw(SECRET, salt, time_cost=2, memory_cost=1024, parallelism=1, hash_len=32, type=Type.ID)
    phc = hash_secret(SECRET, salt, time_cost=2, memory_cost=1024, parallelism=1, hash_len=32, type=Type.ID)
    fields = {"hash": b64(raw), "salt": b64(salt), "iterations": 2, "memory": 1024, "threads": 1}
    assert stored_form({"argon2": fields}) == phc.decode()
    assert exported_form(phc.decode()) == {"argon2": fields}


def test_argon2i_is_exported_as_its_phc_string() -> None:
    hashed = argon2i_phc()
    assert exported_form(stored_form(hashed)) == hashed


def test_other_kinds_are_stored_as_canonical_json() -> None:
    hashed = scrypt_vector()
    stored = stored_form(hashed)
    assert stored == json.dumps(hashed, sort_keys=True, separators=(",", ":"))
    assert exported_form(stored) == hashed


# --- Django's own hashers ----------------------------------------------------------------
DjangoMake = Callable[[str, str], str]


@pytest.fixture(scope="module")
def django_make_password() -> DjangoMake:
    """``make(password, algorithm)``: Django's make_password with Django's own hasher for ``algorithm``."""
    from django.conf import settings  # type: ignore[import-untyped]

    if not settings.configured:
        settings.configure()
    from django.contrib.auth import hashers  # type: ignore[import-untyped]

    # Costs lowered where the test chooses them; the format is Django's.
    costs: dict[str, tuple[Any, dict[str, int]]] = {
        "pbkdf2_sha256": (hashers.PBKDF2PasswordHasher, {"iterations": 1000}),
        "pbkdf2_sha1": (hashers.PBKDF2SHA1PasswordHasher, {"iterations": 1000}),
        "argon2": (hashers.Argon2PasswordHasher, {"time_cost": 1, "memory_cost": 1024, "parallelism": 2}),
        "bcrypt_sha256": (hashers.BCryptSHA256PasswordHasher, {"rounds": 4}),
        "bcrypt": (hashers.BCryptPasswordHasher, {"rounds": 4}),
        "scrypt": (hashers.ScryptPasswordHasher, {"work_factor": 2**10}),
    }

    def make(password: str, algorithm: str) -> str:
        hasher_class, attributes = costs[algorithm]
        hasher = hasher_class()
        for name, value in attributes.items():
            setattr(hasher, name, value)
        encoded: str = hashers.make_password(password, hasher=hasher)
        assert encoded.startswith(algorithm + "$")
        assert hasher.verify(password, encoded)  # Django agrees it is a hash of password
        return encoded

    return make


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt"])
def test_django_hash_verifies_and_is_rehashed(django_make_password: DjangoMake, algorithm: str) -> None:
    stored = assert_imports({"django": {"hash": django_make_password(PASSWORD, algorithm)}})
    assert stored.startswith("{")


def test_django_bcrypt_sha256_is_not_cut_at_72_bytes(django_make_password: DjangoMake) -> None:
    long_password = "x" * 100
    stored = stored_form({"django": {"hash": django_make_password(long_password, "bcrypt_sha256")}})
    assert verify_password(stored, long_password)
    assert not verify_password(stored, "x" * 72)


# --- passgate's own argon2id -------------------------------------------------------------
def test_native_hash_verifies_and_is_kept_while_parameters_hold() -> None:
    stored = hash_password(PASSWORD, NATIVE)
    assert stored.startswith("$argon2id$v=19$m=2048,t=1,p=1$")
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, WRONG)
    assert not needs_rehash(stored, NATIVE)
    assert stored_form(exported_form(stored)) == stored
    assert hash_password(PASSWORD, NATIVE) != stored  # a fresh salt each time


@pytest.mark.parametrize(
    "changed",
    [
        Argon2Parameters(memory_kib=4096, time_cost=1, parallelism=1),
        Argon2Parameters(memory_kib=2048, time_cost=2, parallelism=1),
        Argon2Parameters(memory_kib=2048, time_cost=1, parallelism=2),
        Argon2Parameters(memory_kib=2048, time_cost=1, parallelism=1, hash_len=64),
        Argon2Parameters(memory_kib=2048, time_cost=1, parallelism=1, salt_len=32),
    ],
    ids=["memory", "time", "parallelism", "hash_len", "salt_len"],
)
def test_native_hash_is_rehashed_when_parameters_change(changed: Argon2Parameters) -> None:
    assert needs_rehash(hash_password(PASSWORD, NATIVE), changed)


def test_argon2i_with_the_same_costs_is_still_rehashed() -> None:
    made = hash_secret(
        SECRET, secrets.token_bytes(16), time_cost=1, memory_cost=2048, parallelism=1, hash_len=32, type=Type.I
    )
    assert needs_rehash(made.decode(), NATIVE)


@pytest.mark.parametrize(
    "params",
    [
        Argon2Parameters(memory_kib=(1 << 20) + 1),
        Argon2Parameters(time_cost=0),
        Argon2Parameters(parallelism=0),
        Argon2Parameters(salt_len=4),
        Argon2Parameters(hash_len=8),
    ],
    ids=["memory", "time", "parallelism", "salt_len", "hash_len"],
)
def test_hash_password_refuses_parameters_it_could_not_verify(params: Argon2Parameters) -> None:
    with pytest.raises(ValueError, match="argon2"):
        hash_password(PASSWORD, params)


# --- refused imports ---------------------------------------------------------------------
def pbkdf2_fields(**changes: Any) -> dict[str, Any]:
    fields = {"hash": b64(bytes(32)), "salt": b64(bytes(16)), "iterations": 1000, "type": "sha256"}
    return {"pbkdf2": {**fields, **changes}}


def without(hashed: dict[str, Any], name: str) -> dict[str, Any]:
    [(kind, fields)] = hashed.items()
    return {kind: {key: value for key, value in fields.items() if key != name}}


def firebase_fields(**changes: Any) -> dict[str, Any]:
    return {"firebase": {**FIREBASE_README, **changes}}


PHC_SALT_HASH = "$" + b64(bytes(16)).rstrip("=") + "$" + b64(bytes(32)).rstrip("=")

REFUSED: dict[str, tuple[Any, str]] = {
    "unknown kind": ({"bcryp": {"hash": "x"}}, "unknown kind"),
    "two kinds": ({"bcrypt": {"hash": "x"}, "md5": {"hash": "x"}}, "exactly one"),
    "no kind": ({}, "exactly one"),
    "not an object": ({"bcrypt": "$2b$04$..."}, "expected an object"),
    "bad base64": (pbkdf2_fields(salt="not base64!"), "salt is not valid base64"),
    "unpadded base64": (pbkdf2_fields(salt="AAAAAAAAAAAAAAAAAAAAAA"), "salt is not valid base64"),
    "missing field": (without(pbkdf2_fields(), "salt"), "missing field 'salt'"),
    "extra field": (pbkdf2_fields(salts="x"), "unknown field 'salts'"),
    "string for integer": (pbkdf2_fields(iterations="1000"), "iterations must be an integer"),
    "bool for integer": (pbkdf2_fields(iterations=True), "iterations must be an integer"),
    "integer for string": (pbkdf2_fields(salt=16), "salt must be a string"),
    "unknown pbkdf2 type": (pbkdf2_fields(type="md5"), "type must be one of"),
    "pbkdf2 iterations": (pbkdf2_fields(iterations=10_000_001), "iterations × key blocks must be between 1 and"),
    "pbkdf2 zero iterations": (pbkdf2_fields(iterations=0), "iterations × key blocks must be between 1 and"),
    "pbkdf2 long key": (pbkdf2_fields(iterations=4_000_000, hash=b64(bytes(96))), "iterations × key blocks"),
    "short derived key": (pbkdf2_fields(hash=b64(bytes(8))), "hash length"),
    "scrypt n too big": (
        {"scrypt": {"hash": b64(bytes(32)), "salt": "", "n": 2**21, "r": 8, "p": 1}},
        "n must be a power of 2",
    ),
    "scrypt n not a power of 2": (
        {"scrypt": {"hash": b64(bytes(32)), "salt": "", "n": 1000, "r": 8, "p": 1}},
        "n must be a power of 2",
    ),
    "scrypt memory": (
        {"scrypt": {"hash": b64(bytes(32)), "salt": "", "n": 2**20, "r": 16, "p": 1}},
        "must be at most 1 GiB",
    ),
    "scrypt work": (
        {"scrypt": {"hash": b64(bytes(32)), "salt": "", "n": 2**17, "r": 8, "p": 16}},
        "must be at most 1 GiB",
    ),
    "firebase memory": (firebase_fields(memory=18), "memory must be between 1 and 17"),
    "firebase rounds high": (firebase_fields(rounds=11), "rounds must be between 1 and 10"),
    "firebase rounds low": (firebase_fields(rounds=0), "rounds must be between 1 and 10"),
    "firebase signer key length": (firebase_fields(signerKey=b64(bytes(32))), "differ in length"),
    "firebase missing separator": (without(firebase_fields(), "saltSeparator"), "missing field 'saltSeparator'"),
    "argon2 phc memory": ({"argon2": {"hash": "$argon2id$v=19$m=2097152,t=1,p=1" + PHC_SALT_HASH}}, "memory"),
    "argon2 phc work": ({"argon2": {"hash": "$argon2id$v=19$m=1048576,t=5,p=1" + PHC_SALT_HASH}}, "iterations"),
    "argon2 phc no passes": ({"argon2": {"hash": "$argon2id$v=19$m=1024,t=0,p=1" + PHC_SALT_HASH}}, "iterations"),
    "argon2d": ({"argon2": {"hash": "$argon2d$v=19$m=1024,t=1,p=1" + PHC_SALT_HASH}}, "argon2i or argon2id"),
    "argon2 version": ({"argon2": {"hash": "$argon2id$v=20$m=1024,t=1,p=1" + PHC_SALT_HASH}}, "version"),
    "argon2 go memory": (
        {"argon2": {"hash": b64(bytes(32)), "salt": b64(bytes(16)), "iterations": 1, "memory": 2**21, "threads": 1}},
        "memory must be between",
    ),
    "argon2 go short salt": (
        {"argon2": {"hash": b64(bytes(32)), "salt": b64(bytes(4)), "iterations": 1, "memory": 1024, "threads": 1}},
        "salt must be at least 8 bytes",
    ),
    "argon2 go missing field": ({"argon2": {"hash": b64(bytes(32)), "salt": b64(bytes(16))}}, "missing field"),
    "bcrypt cost": ({"bcrypt": {"hash": "$2b$17$" + "a" * 53}}, "cost must be between 4 and 16"),
    "bcrypt 2x": ({"bcrypt": {"hash": "$2x$10$" + "a" * 53}}, "bcrypt hash"),
    "bcrypt truncated": ({"bcrypt": {"hash": "$2b$10$" + "a" * 50}}, "bcrypt hash"),
    "bcrypt non-ASCII digits": ({"bcrypt": {"hash": "$2b$\u0661\u0660$" + "a" * 53}}, "bcrypt hash"),
    "text too long": ({"bcrypt": {"hash": "$2b$10$" + "a" * 5000}}, "hash is too long"),
    "sha length": ({"sha": {"hash": "ab" * 20, "type": "sha256"}}, "64 hex digits"),
    "sha bad hex": ({"sha": {"hash": "zz" * 32, "type": "sha256"}}, "hash is not valid hex"),
    "sha hex with spaces": ({"sha": {"hash": "ab " * 32, "type": "sha256"}}, "hash is not valid hex"),
    "sha position": ({"sha": {"hash": "ab" * 32, "type": "sha256", "saltPosition": "middle"}}, "saltPosition"),
    "md5 length": ({"md5": {"hash": "ab" * 20}}, "32 hex digits"),
    "phpass": ({"phpass": {"hash": "x", "salt": "y", "iterations": 8192, "type": "md5"}}, "not supported"),
    "django md5 hasher": ({"django": {"hash": "md5$salt$" + "ab" * 16}}, "unsupported hasher"),
    "django pbkdf2 shape": ({"django": {"hash": "pbkdf2_sha256$1000$salt"}}, "<iterations>"),
    "django pbkdf2 iterations": (
        {"django": {"hash": "pbkdf2_sha256$99999999999$salt$" + b64(bytes(32))}},
        "iterations",
    ),
    "django scrypt cost": ({"django": {"hash": f"scrypt${2**22}$salt$8$1${b64(bytes(64))}"}}, "n must be"),
}


@pytest.mark.parametrize(("hashed", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_malformed_input_is_refused_with_a_reason(hashed: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("$", r"\$")) as refused:
        stored_form(hashed)
    assert "AAAAAAAA" not in str(refused.value)  # no hash material in the reason


def test_reason_does_not_quote_the_value() -> None:
    with pytest.raises(ValueError, match="hash") as refused:
        stored_form({"bcrypt": {"hash": "$2b$10$secretsecretsecret"}})
    assert "secret" not in str(refused.value)


# --- corrupt stored forms ----------------------------------------------------------------
def corrupt_stored_forms() -> dict[str, str]:
    native = hash_password(PASSWORD, NATIVE)
    made_bcrypt = bcrypt.hashpw(SECRET, bcrypt.gensalt(4)).decode()
    canonical = stored_form(scrypt_vector())
    return {
        "empty": "",
        "garbage": "garbage",
        "open brace": "{",
        "empty object": "{}",
        "json list": "[1]",
        "bad bcrypt in json": '{"bcrypt":{"hash":"x"}}',
        "not canonical json": json.dumps(json.loads(canonical), indent=1),
        "argon2 json instead of phc": json.dumps({"argon2": {"hash": native}}, separators=(",", ":")),
        "truncated phc": native[:-10],
        "phc bad base64": native[:-3] + "!!!",
        "phc single base64 char": native.rsplit("$", 1)[0] + "$A",
        "phc huge memory": "$argon2id$v=19$m=4194304,t=1,p=1" + PHC_SALT_HASH,
        "truncated bcrypt": made_bcrypt[:-1],
        "bcrypt huge cost": "$2b$31$" + made_bcrypt[7:],
        "scrypt huge n": canonical.replace('"n":1024', '"n":1073741824'),
        "sha unknown type": '{"sha":{"hash":"00","type":"sha3"}}',
    }


CORRUPT = corrupt_stored_forms()


@pytest.mark.parametrize("stored", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_stored_form_verifies_false_without_raising(stored: str) -> None:
    assert not verify_password(stored, PASSWORD)
    assert needs_rehash(stored, NATIVE)
    with pytest.raises(ValueError, match=r"\w"):
        exported_form(stored)


def test_unencodable_password_verifies_false() -> None:
    stored = hash_password(PASSWORD, NATIVE)
    assert not verify_password(stored, "\ud800")
