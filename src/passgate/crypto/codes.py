"""One-time codes: generation and keyed hashing.

Codes are uniform over ``10**length`` from ``secrets`` and stored only as
HMAC-SHA256(code key, challenge id, code). A fast keyed hash, not a slow password hash:
the code space is small either way, so guessing is stopped by attempt limits, and the
key keeps a stolen table from being brute-forced offline (argon2 would cost 23-166 ms
per verify for no added protection).
"""

from __future__ import annotations

import hmac
import secrets

from passgate.crypto.sealing import Secrets


def generate_code(length: int) -> str:
    """A random numeric code of exactly ``length`` digits (leading zeros kept)."""
    return str(secrets.randbelow(10**length)).zfill(length)


def hash_code(keys: Secrets, challenge_id: str, code: str) -> str:
    """The stored form of ``code`` for ``challenge_id``."""
    return keys.code_mac("otp", challenge_id, code)


def code_matches(keys: Secrets, challenge_id: str, code: str, stored_hash: str) -> bool:
    """Constant-time check of ``code`` against ``stored_hash``."""
    return hmac.compare_digest(hash_code(keys, challenge_id, code), stored_hash)
