"""Password hashes: argon2id for passgate's own, verification for hashes imported from other systems.

Contract
--------
* ``hash_password`` makes an argon2id PHC string (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) with the
  caller's ``Argon2Parameters`` and a fresh random salt.
* A *stored form* is the text kept for a user's password. An argon2 PHC string (passgate's own argon2id,
  or an imported argon2i/argon2id) and a bcrypt hash (``$2a$``, ``$2b$``, ``$2y$``) are stored as they
  are; every other kind is stored as compact canonical JSON ``{"<kind>": {...}}`` (sorted keys, no
  spaces), so its text starts with ``{``.
* ``stored_form`` turns Descope's ``hashedPassword`` object (exactly one key naming the kind) into a
  stored form. It raises ``ValueError`` with a short, user-facing reason that never quotes hash material
  when the kind is unknown, a field is missing, unknown or mistyped, base64 or hex does not decode, or a
  cost is outside the bounds below.
* ``verify_password`` never raises for a wrong password or a corrupt stored form: it returns False.
  Digests this module computes itself are compared with ``hmac.compare_digest``; bcrypt and argon2 hashes
  are compared by their libraries.
* ``needs_rehash`` is True unless the stored form is argon2id with exactly the given parameters: every
  imported hash is replaced at its user's first sign-in, and passgate's own when the parameters change.
* ``exported_form`` gives back a ``hashedPassword`` object, and ``stored_form(exported_form(s)) == s``
  for every stored form ``s``.

Kinds accepted (Descope's SDK field names; binary fields are standard base64 with padding)
-----------------------------------------------------------------------------------------
``bcrypt``    ``{hash}``: ``$2a$``/``$2b$``/``$2y$`` (one algorithm), cost 4–16.
``argon2``    ``{hash}`` as an ``$argon2i$``/``$argon2id$`` PHC string, or the Go SDK's
              ``{hash, salt, iterations, memory (KiB), threads}`` (raw bytes; argon2id, version 19),
              which is stored as the equivalent PHC string.
``pbkdf2``    ``{hash, salt, iterations, type: sha1|sha256|sha512}``; the key length is the hash's.
``django``    ``{hash}`` as Django writes it: ``pbkdf2_sha256$``, ``pbkdf2_sha1$``, ``argon2$``,
              ``bcrypt_sha256$``, ``bcrypt$`` or ``scrypt$``. Django's salted/unsalted MD5 and SHA1
              hashers are refused.
``scrypt``    ``{hash, salt, n, r, p}``; the key length is the hash's.
``firebase``  ``{hash, salt, saltSeparator, signerKey, memory, rounds}``: Firebase's modified scrypt
              (scrypt with N = 2**memory, r = rounds, p = 1 over salt + saltSeparator; AES-256-CTR of
              signerKey under the key's first 32 bytes, zero IV), memory 1–17, rounds 1–10.
``sha``       ``{hash (hex), type: sha1|sha256|sha512, salt? (hex), saltPosition?: prefix|suffix}``:
              SHA of salt + password or password + salt; both are tried when saltPosition is absent.
``md5``       ``{hash (hex)}``: unsalted MD5, accepted only so these users can sign in once and be
              rehashed.
``phpass``    refused: its portable-hash encoding cannot be checked against Descope's field split here.

Bounds on costs exist because an imported hash sets what one sign-in attempt costs the server: they
admit real exports and refuse costs that would make a verify a denial of service. At its bound each
kind costs a few seconds of one core per verify (measured on a 2-core VM: bcrypt cost 16 4.4 s,
scrypt N = 2**20 r = 8 6.0 s, pbkdf2-sha512 at 10 000 000 iterations 7.6 s, argon2 256 MiB × 4
passes 1.0 s, so about 4 s at the argon2 bound):

* argon2: memory at most 1 GiB, memory × passes at most 4 GiB, at most 64 lanes;
* scrypt (and Django's): N a power of 2 up to 2**20, r ≤ 32, p ≤ 16, and 128·N·r·p at most 1 GiB
  (the work, and an upper bound on the memory, of one verify);
* pbkdf2 (and Django's): iterations × key blocks at most 10 000 000;
* bcrypt: cost at most 16; Firebase: memory 1–17 and rounds 1–10 (Firebase's console allows memory
  1–14 and rounds 1–8; Descope documents 12–17 and 6–10; the union is taken).

Derived keys must be 16–128 bytes: a shorter one would let unrelated passwords match too often.

Passwords are encoded as UTF-8. bcrypt reads only the first 72 bytes of a password; the systems that
made bcrypt hashes ignored the rest silently, so the password is cut to 72 bytes before bcrypt (which,
since version 5, refuses longer input instead).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import bcrypt
from argon2.exceptions import VerificationError
from argon2.low_level import ARGON2_VERSION, Type, hash_secret, verify_secret
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


@dataclass(frozen=True)
class Argon2Parameters:
    """argon2id costs for passgate's own hashes: memory in KiB, passes, lanes, and lengths in bytes."""

    memory_kib: int = 19456
    time_cost: int = 2
    parallelism: int = 1
    hash_len: int = 32
    salt_len: int = 16


# --- bounds ------------------------------------------------------------------------------
_MAX_TEXT_CHARS: Final = 4096  # every field fits in far less; longer text is a paste error
_DERIVED_KEY_BYTES: Final = range(16, 129)
_ARGON2_MAX_MEMORY_KIB: Final = 1 << 20  # 1 GiB
_ARGON2_MAX_WORK_KIB: Final = 4 << 20  # memory × passes: the time of a verify grows with both
_ARGON2_PARALLELISM: Final = range(1, 65)
_ARGON2_MIN_SALT_BYTES: Final = 8  # argon2's own minimum
_ARGON2_VERSIONS: Final = (0x10, 0x13)
_BCRYPT_COST: Final = range(4, 17)
_BCRYPT_MAX_PASSWORD_BYTES: Final = 72
_PBKDF2_MAX_WORK: Final = 10_000_000  # iterations × key blocks: each block repeats every iteration
_SCRYPT_MAX_N: Final = 1 << 20
_SCRYPT_R: Final = range(1, 33)
_SCRYPT_P: Final = range(1, 17)
_SCRYPT_MAX_WORK_BYTES: Final = 1 << 30  # 128·N·r·p
_FIREBASE_MEMORY: Final = range(1, 18)
_FIREBASE_ROUNDS: Final = range(1, 11)
_SHA_DIGEST_BYTES: Final = {"sha1": 20, "sha256": 32, "sha512": 64}
_MD5_DIGEST_BYTES: Final = 16

_PHC: Final = re.compile(
    r"\$(argon2id|argon2i)\$(?:v=(\d{1,4})\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})"
    r"\$([A-Za-z0-9+/]{1,1024})\$([A-Za-z0-9+/]{1,1024})",
    re.ASCII,  # \d would otherwise match every script's digits, which int() reads too
)
_BCRYPT: Final = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}", re.ASCII)
_HEX: Final = re.compile(r"(?:[0-9a-fA-F]{2})*")
_DECIMAL: Final = re.compile(r"[0-9]{1,10}")
_DJANGO_HASHERS: Final = ("pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt")


class _Verifier(Protocol):
    def matches(self, secret: bytes) -> bool: ...


# --- the algorithms ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Argon2:
    """An argon2i or argon2id PHC string, checked by argon2-cffi."""

    phc: str
    type: Type
    version: int
    memory_kib: int
    time_cost: int
    parallelism: int
    salt_len: int
    hash_len: int

    @classmethod
    def parse(cls, kind: str, phc: str) -> _Argon2:
        match = _PHC.fullmatch(phc)
        if match is None:
            raise ValueError(f"{kind}: hash is not an argon2i or argon2id PHC string")
        name, version, memory, time_cost, parallelism, salt, digest = match.groups()
        parsed = cls(
            phc=phc,
            type=Type.ID if name == "argon2id" else Type.I,
            version=int(version) if version is not None else 0x10,  # PHC strings without v= are version 1.0
            memory_kib=int(memory),
            time_cost=int(time_cost),
            parallelism=int(parallelism),
            salt_len=len(_unpadded_base64(kind, "salt", salt)),
            hash_len=len(_unpadded_base64(kind, "hash", digest)),
        )
        if parsed.version not in _ARGON2_VERSIONS:
            raise ValueError(f"{kind}: unknown argon2 version")
        _check_argon2_costs(kind, parsed.memory_kib, parsed.time_cost, parsed.parallelism)
        _check_argon2_lengths(kind, parsed.salt_len, parsed.hash_len)
        return parsed

    def matches(self, secret: bytes) -> bool:
        try:
            return verify_secret(self.phc.encode("ascii"), secret, self.type)
        except VerificationError:
            return False


@dataclass(frozen=True)
class _Bcrypt:
    """A bcrypt hash; Django's ``bcrypt_sha256`` first replaces the password by its SHA-256 in hex."""

    hash: str
    prehash_sha256: bool = False

    @classmethod
    def parse(cls, kind: str, hashed: str, *, prehash_sha256: bool = False) -> _Bcrypt:
        match = _BCRYPT.fullmatch(hashed)
        if match is None:
            raise ValueError(f"{kind}: hash is not a $2a$, $2b$ or $2y$ bcrypt hash")
        _check_range(kind, "cost", int(match.group(1)), _BCRYPT_COST)
        return cls(hashed, prehash_sha256)

    def matches(self, secret: bytes) -> bool:
        if self.prehash_sha256:
            secret = hashlib.sha256(secret).hexdigest().encode("ascii")
        # bcrypt reads 72 bytes; the systems that made these hashes dropped the rest silently.
        return bcrypt.checkpw(secret[:_BCRYPT_MAX_PASSWORD_BYTES], self.hash.encode("ascii"))


@dataclass(frozen=True)
class _Pbkdf2:
    """PBKDF2-HMAC; the derived key is as long as the stored one."""

    digest: str
    salt: bytes
    iterations: int
    derived: bytes

    def matches(self, secret: bytes) -> bool:
        candidate = hashlib.pbkdf2_hmac(self.digest, secret, self.salt, self.iterations, len(self.derived))
        return hmac.compare_digest(candidate, self.derived)


@dataclass(frozen=True)
class _Scrypt:
    """Standard scrypt; the derived key is as long as the stored one."""

    salt: bytes
    n: int
    r: int
    p: int
    derived: bytes

    def matches(self, secret: bytes) -> bool:
        candidate = _scrypt(secret, self.salt, self.n, self.r, self.p, len(self.derived))
        return hmac.compare_digest(candidate, self.derived)


@dataclass(frozen=True)
class _FirebaseScrypt:
    """Firebase's modified scrypt: the scrypt key encrypts the project's signer key (AES-256-CTR, zero IV)."""

    salt: bytes
    salt_separator: bytes
    signer_key: bytes
    memory: int
    rounds: int
    hash: bytes

    def matches(self, secret: bytes) -> bool:
        derived = _scrypt(secret, self.salt + self.salt_separator, 2**self.memory, self.rounds, 1, 64)
        encryptor = Cipher(algorithms.AES256(derived[:32]), modes.CTR(bytes(16))).encryptor()
        candidate = encryptor.update(self.signer_key) + encryptor.finalize()
        return hmac.compare_digest(candidate, self.hash)


@dataclass(frozen=True)
class _SaltedDigest:
    """One pass of a plain digest over salt + password (``prefix``) or password + salt (``suffix``)."""

    digest: str
    salt: bytes
    positions: tuple[str, ...]
    hash: bytes

    def matches(self, secret: bytes) -> bool:
        # Every position is computed before any() so that the time does not tell which one matched.
        outcomes = [hmac.compare_digest(self._digest_of(secret, position), self.hash) for position in self.positions]
        return any(outcomes)

    def _digest_of(self, secret: bytes, position: str) -> bytes:
        message = self.salt + secret if position == "prefix" else secret + self.salt
        return hashlib.new(self.digest, message).digest()


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL needs 128·r·(N + 2) bytes for its V array and 128·r·p for B; its default cap is only 32 MiB.
    maxmem = 128 * r * (n + 2 + p) + (1 << 20)
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)


# --- bounds checks -----------------------------------------------------------------------
def _check_range(kind: str, name: str, value: int, allowed: range) -> None:
    if value not in allowed:
        raise ValueError(f"{kind}: {name} must be between {allowed.start} and {allowed.stop - 1}")


def _check_argon2_costs(kind: str, memory_kib: int, time_cost: int, parallelism: int) -> None:
    _check_range(kind, "threads", parallelism, _ARGON2_PARALLELISM)
    _check_range(kind, "memory", memory_kib, range(8 * parallelism, _ARGON2_MAX_MEMORY_KIB + 1))
    _check_range(kind, "iterations", time_cost, range(1, _ARGON2_MAX_WORK_KIB // memory_kib + 1))


def _check_argon2_lengths(kind: str, salt_len: int, hash_len: int) -> None:
    if salt_len < _ARGON2_MIN_SALT_BYTES:
        raise ValueError(f"{kind}: salt must be at least {_ARGON2_MIN_SALT_BYTES} bytes")
    _check_range(kind, "hash length", hash_len, _DERIVED_KEY_BYTES)


def _check_scrypt_costs(kind: str, n: int, r: int, p: int) -> None:
    if n < 2 or n > _SCRYPT_MAX_N or n & (n - 1):
        raise ValueError(f"{kind}: n must be a power of 2 between 2 and {_SCRYPT_MAX_N}")
    _check_range(kind, "r", r, _SCRYPT_R)
    _check_range(kind, "p", p, _SCRYPT_P)
    if 128 * n * r * p > _SCRYPT_MAX_WORK_BYTES:
        raise ValueError(f"{kind}: 128 × n × r × p must be at most 1 GiB")


def _check_pbkdf2_work(kind: str, digest: str, iterations: int, key_bytes: int) -> None:
    blocks = -(-key_bytes // _SHA_DIGEST_BYTES[digest])
    if iterations < 1 or iterations * blocks > _PBKDF2_MAX_WORK:
        raise ValueError(f"{kind}: iterations × key blocks must be between 1 and {_PBKDF2_MAX_WORK}")


def _check_derived_key(kind: str, name: str, derived: bytes) -> bytes:
    _check_range(kind, f"{name} length in bytes", len(derived), _DERIVED_KEY_BYTES)
    return derived


# --- reading a kind's fields -------------------------------------------------------------
def _fields(kind: str, given: object, required: set[str], optional: set[str] | None = None) -> Mapping[str, Any]:
    if not isinstance(given, Mapping):
        raise ValueError(f"{kind}: expected an object")
    missing = sorted(required - given.keys())
    if missing:
        raise ValueError(f"{kind}: missing field {missing[0]!r}")
    known = required | (optional or set())
    unknown = [str(name)[:40] for name in given if name not in known]
    if unknown:
        raise ValueError(f"{kind}: unknown field {unknown[0]!r}")
    return given


def _text(kind: str, fields: Mapping[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str):
        raise ValueError(f"{kind}: {name} must be a string")
    if len(value) > _MAX_TEXT_CHARS:
        raise ValueError(f"{kind}: {name} is too long")
    return value


def _choice(kind: str, fields: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = _text(kind, fields, name)
    if value not in allowed:
        raise ValueError(f"{kind}: {name} must be one of {', '.join(allowed)}")
    return value


def _integer(kind: str, fields: Mapping[str, Any], name: str) -> int:
    value = fields[name]
    if type(value) is not int:  # bool is an int subclass, and 8.0 is not a cost
        raise ValueError(f"{kind}: {name} must be an integer")
    return value


def _base64(kind: str, fields: Mapping[str, Any], name: str) -> bytes:
    return _decoded_base64(kind, name, _text(kind, fields, name))


def _decoded_base64(kind: str, name: str, value: str) -> bytes:
    """Standard base64 with padding, strictly: no stray characters, no missing padding."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text
        raise ValueError(f"{kind}: {name} is not valid base64") from None


def _unpadded_base64(kind: str, name: str, value: str) -> bytes:
    """PHC strings drop base64's padding."""
    return _decoded_base64(kind, name, value + "=" * (-len(value) % 4))


def _hex(kind: str, fields: Mapping[str, Any], name: str) -> bytes:
    value = _text(kind, fields, name)
    if _HEX.fullmatch(value) is None:  # bytes.fromhex alone would accept spaces
        raise ValueError(f"{kind}: {name} is not valid hex")
    return bytes.fromhex(value)


def _decimal(kind: str, name: str, value: str) -> int:
    if _DECIMAL.fullmatch(value) is None:
        raise ValueError(f"{kind}: {name} is not a number")
    return int(value)


def _canonical(kind: str, fields: Mapping[str, Any]) -> str:
    return json.dumps({kind: dict(fields)}, sort_keys=True, separators=(",", ":"))


# --- one importer a kind: (stored form, verifier) ----------------------------------------
def _import_bcrypt(given: object) -> tuple[str, _Verifier]:
    hashed = _text("bcrypt", _fields("bcrypt", given, {"hash"}), "hash")
    return hashed, _Bcrypt.parse("bcrypt", hashed)


def _import_argon2(given: object) -> tuple[str, _Verifier]:
    if isinstance(given, Mapping) and given.keys() == {"hash"}:
        phc = _text("argon2", given, "hash")
    else:
        phc = _argon2_phc_from_fields(_fields("argon2", given, {"hash", "salt", "iterations", "memory", "threads"}))
    return phc, _Argon2.parse("argon2", phc)


def _argon2_phc_from_fields(fields: Mapping[str, Any]) -> str:
    """The PHC string of the Go SDK's argon2 fields, which carry no type or version: argon2id, 19."""
    salt, digest = _base64("argon2", fields, "salt"), _base64("argon2", fields, "hash")
    memory, time_cost = _integer("argon2", fields, "memory"), _integer("argon2", fields, "iterations")
    parallelism = _integer("argon2", fields, "threads")
    _check_argon2_costs("argon2", memory, time_cost, parallelism)
    _check_argon2_lengths("argon2", len(salt), len(digest))
    return f"$argon2id$v={ARGON2_VERSION}$m={memory},t={time_cost},p={parallelism}${_phc_b64(salt)}${_phc_b64(digest)}"


def _phc_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _import_pbkdf2(given: object) -> tuple[str, _Verifier]:
    fields = _fields("pbkdf2", given, {"hash", "salt", "iterations", "type"})
    verifier = _Pbkdf2(
        digest=_choice("pbkdf2", fields, "type", tuple(_SHA_DIGEST_BYTES)),
        salt=_base64("pbkdf2", fields, "salt"),
        iterations=_integer("pbkdf2", fields, "iterations"),
        derived=_check_derived_key("pbkdf2", "hash", _base64("pbkdf2", fields, "hash")),
    )
    _check_pbkdf2_work("pbkdf2", verifier.digest, verifier.iterations, len(verifier.derived))
    return _canonical("pbkdf2", fields), verifier


def _import_scrypt(given: object) -> tuple[str, _Verifier]:
    fields = _fields("scrypt", given, {"hash", "salt", "n", "r", "p"})
    n, r, p = (_integer("scrypt", fields, name) for name in ("n", "r", "p"))
    _check_scrypt_costs("scrypt", n, r, p)
    derived = _check_derived_key("scrypt", "hash", _base64("scrypt", fields, "hash"))
    return _canonical("scrypt", fields), _Scrypt(_base64("scrypt", fields, "salt"), n, r, p, derived)


def _import_firebase(given: object) -> tuple[str, _Verifier]:
    fields = _fields("firebase", given, {"hash", "salt", "saltSeparator", "signerKey", "memory", "rounds"})
    memory, rounds = _integer("firebase", fields, "memory"), _integer("firebase", fields, "rounds")
    _check_range("firebase", "memory", memory, _FIREBASE_MEMORY)
    _check_range("firebase", "rounds", rounds, _FIREBASE_ROUNDS)
    hashed = _check_derived_key("firebase", "hash", _base64("firebase", fields, "hash"))
    signer_key = _base64("firebase", fields, "signerKey")
    if len(signer_key) != len(hashed):  # AES-CTR keeps the length: a mismatch can never verify
        raise ValueError("firebase: hash and signerKey differ in length")
    verifier = _FirebaseScrypt(
        salt=_base64("firebase", fields, "salt"),
        salt_separator=_base64("firebase", fields, "saltSeparator"),
        signer_key=signer_key,
        memory=memory,
        rounds=rounds,
        hash=hashed,
    )
    return _canonical("firebase", fields), verifier


def _import_sha(given: object) -> tuple[str, _Verifier]:
    fields = _fields("sha", given, {"hash", "type"}, {"salt", "saltPosition"})
    digest = _choice("sha", fields, "type", tuple(_SHA_DIGEST_BYTES))
    hashed = _hex("sha", fields, "hash")
    if len(hashed) != _SHA_DIGEST_BYTES[digest]:
        raise ValueError(f"sha: hash must be {2 * _SHA_DIGEST_BYTES[digest]} hex digits for {digest}")
    salt = _hex("sha", fields, "salt") if "salt" in fields else b""
    if "saltPosition" in fields:
        positions: tuple[str, ...] = (_choice("sha", fields, "saltPosition", ("prefix", "suffix")),)
    else:
        positions = ("prefix", "suffix") if salt else ("prefix",)
    return _canonical("sha", fields), _SaltedDigest(digest, salt, positions, hashed)


def _import_md5(given: object) -> tuple[str, _Verifier]:
    fields = _fields("md5", given, {"hash"})
    hashed = _hex("md5", fields, "hash")
    if len(hashed) != _MD5_DIGEST_BYTES:
        raise ValueError(f"md5: hash must be {2 * _MD5_DIGEST_BYTES} hex digits")
    return _canonical("md5", fields), _SaltedDigest("md5", b"", ("prefix",), hashed)


def _import_phpass(given: object) -> tuple[str, _Verifier]:
    raise ValueError("phpass: not supported; these users must reset their password")


def _import_django(given: object) -> tuple[str, _Verifier]:
    fields = _fields("django", given, {"hash"})
    return _canonical("django", fields), _django_verifier(_text("django", fields, "hash"))


def _django_verifier(encoded: str) -> _Verifier:
    """The verifier for a hash in Django's ``<algorithm>$...`` text, read as Django 5.2's hashers write it."""
    algorithm, _, rest = encoded.partition("$")
    if algorithm in ("pbkdf2_sha256", "pbkdf2_sha1"):
        return _django_pbkdf2(algorithm.removeprefix("pbkdf2_"), rest)
    if algorithm == "argon2":
        return _Argon2.parse("django", "$" + rest)
    if algorithm in ("bcrypt_sha256", "bcrypt"):
        return _Bcrypt.parse("django", rest, prehash_sha256=algorithm == "bcrypt_sha256")
    if algorithm == "scrypt":
        return _django_scrypt(rest)
    raise ValueError(f"django: unsupported hasher; supported: {', '.join(_DJANGO_HASHERS)}")


def _django_pbkdf2(digest: str, rest: str) -> _Pbkdf2:
    parts = rest.split("$")
    if len(parts) != 3:
        raise ValueError("django: hash is not <algorithm>$<iterations>$<salt>$<hash>")
    iterations_text, salt, hashed = parts
    iterations = _decimal("django", "iterations", iterations_text)
    derived = _check_derived_key("django", "hash", _decoded_base64("django", "hash", hashed))
    _check_pbkdf2_work("django", digest, iterations, len(derived))
    return _Pbkdf2(digest, salt.encode("utf-8"), iterations, derived)  # Django's salt is text


def _django_scrypt(rest: str) -> _Scrypt:
    parts = rest.split("$")
    if len(parts) != 5:
        raise ValueError("django: hash is not scrypt$<n>$<salt>$<r>$<p>$<hash>")
    n_text, salt, r_text, p_text, hashed = parts
    n, r, p = _decimal("django", "n", n_text), _decimal("django", "r", r_text), _decimal("django", "p", p_text)
    _check_scrypt_costs("django", n, r, p)
    derived = _check_derived_key("django", "hash", _decoded_base64("django", "hash", hashed))
    return _Scrypt(salt.encode("utf-8"), n, r, p, derived)


_IMPORTERS: Final[dict[str, Callable[[object], tuple[str, _Verifier]]]] = {
    "bcrypt": _import_bcrypt,
    "argon2": _import_argon2,
    "pbkdf2": _import_pbkdf2,
    "django": _import_django,
    "scrypt": _import_scrypt,
    "firebase": _import_firebase,
    "sha": _import_sha,
    "md5": _import_md5,
    "phpass": _import_phpass,
}


def _import(hashed: object) -> tuple[str, _Verifier]:
    if not isinstance(hashed, Mapping) or len(hashed) != 1:
        raise ValueError("hashedPassword must have exactly one key naming the kind of hash")
    [(kind, given)] = hashed.items()
    importer = _IMPORTERS.get(kind) if isinstance(kind, str) else None
    if importer is None:
        raise ValueError(f"unknown kind of hash {str(kind)[:40]!r}; known: {', '.join(_IMPORTERS)}")
    return importer(given)


def _verifier_of(stored: str) -> _Verifier:
    """The verifier for a stored form; ValueError when it is not one this module writes."""
    if stored.startswith("$argon2"):
        return _Argon2.parse("argon2", stored)
    if stored.startswith("$2"):
        return _Bcrypt.parse("bcrypt", stored)
    if stored.startswith("{"):
        text, verifier = _import(json.loads(stored))
        if text != stored:  # only canonical JSON is written, so anything else was altered
            raise ValueError("stored form is not canonical")
        return verifier
    raise ValueError("not a stored password form")


# --- public API --------------------------------------------------------------------------
def hash_password(password: str, params: Argon2Parameters) -> str:
    """argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).

    Raises ValueError when ``params`` are outside the bounds this module verifies (so every hash it
    makes can be checked), or when ``password`` cannot be encoded as UTF-8 (a lone surrogate).
    """
    _check_argon2_costs("argon2", params.memory_kib, params.time_cost, params.parallelism)
    _check_argon2_lengths("argon2", params.salt_len, params.hash_len)
    encoded = hash_secret(
        password.encode("utf-8"),
        secrets.token_bytes(params.salt_len),
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=params.hash_len,
        type=Type.ID,
        version=ARGON2_VERSION,
    )
    return encoded.decode("ascii")


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (a stored form); False, never an exception, for a wrong
    password or a corrupt stored form."""
    try:
        return _verifier_of(stored).matches(password.encode("utf-8"))
    except (ValueError, TypeError, VerificationError):
        # ValueError covers bad JSON, base64, bounds and unencodable passwords; TypeError a JSON shape
        # the readers did not foresee.
        return False


def needs_rehash(stored: str, params: Argon2Parameters) -> bool:
    """True unless ``stored`` is argon2id (version 19) made with exactly ``params``."""
    try:
        current = _Argon2.parse("argon2", stored)
    except ValueError:
        return True
    wanted = (Type.ID, ARGON2_VERSION, params.memory_kib, params.time_cost, params.parallelism)
    found = (current.type, current.version, current.memory_kib, current.time_cost, current.parallelism)
    return found != wanted or (current.salt_len, current.hash_len) != (params.salt_len, params.hash_len)


def stored_form(hashed: Mapping[str, Any]) -> str:
    """The stored text of a hash given in Descope's ``hashedPassword`` shape (one key naming the kind).

    Raises ValueError with a short, user-facing reason (never quoting hash material) when the kind is
    unknown or refused, a field is missing, unknown or mistyped, base64/hex does not decode, or a cost
    is outside the bounds in the module docstring.
    """
    return _import(hashed)[0]


def exported_form(stored: str) -> dict[str, Any]:
    """The ``hashedPassword`` object for a stored form, with ``stored_form(exported_form(s)) == s``.

    argon2id version 19 goes out in the Go SDK's field form whenever rebuilding the PHC string from
    those fields gives back exactly ``stored`` (always so for passgate's own hashes); other argon2
    strings go out as ``{"argon2": {"hash": <PHC>}}``. Raises ValueError for a corrupt stored form.
    """
    _verifier_of(stored)
    if stored.startswith("$argon2"):
        return {"argon2": _argon2_export(stored)}
    if stored.startswith("$2"):
        return {"bcrypt": {"hash": stored}}
    exported: dict[str, Any] = json.loads(stored)
    return exported


def _argon2_export(phc: str) -> dict[str, Any]:
    parsed = _Argon2.parse("argon2", phc)
    *_, salt, digest = phc.split("$")
    fields: dict[str, Any] = {
        "hash": base64.b64encode(_unpadded_base64("argon2", "hash", digest)).decode("ascii"),
        "salt": base64.b64encode(_unpadded_base64("argon2", "salt", salt)).decode("ascii"),
        "iterations": parsed.time_cost,
        "memory": parsed.memory_kib,
        "threads": parsed.parallelism,
    }
    if _argon2_phc_from_fields(fields) == phc:
        return fields
    return {"hash": phc}
