"""A bounded memory of the JWTs this process signed, so presenting one back skips the
public-key signature check.

A token whose every byte this process produced with its own key needs no ECDSA/RSA
verification: a SHA-256 match of the whole compact JWS proves more than the signature
would (ES256 verification was ~15 % of a refresh's CPU; the digest costs ~1 µs). Only the
signature is skipped: the key lookup, the algorithm allow-list and every claim check still
run, so a revoked key or an expired token is refused exactly as before. The oldest digests
are forgotten first; a forgotten token, or one signed by another worker, is verified in
full. Nothing here is shared or persisted, so it holds no secret another process could use.
"""

from __future__ import annotations

import hashlib

DEFAULT_CAPACITY = 50_000  # ~6 MiB of digests: a worker's refreshes of the last few minutes


class IssuedTokens:
    """Digests of recently signed tokens, oldest evicted first once ``capacity`` is reached."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._digests: dict[bytes, None] = {}  # insertion-ordered: the first key is the oldest

    def remember(self, token: str) -> None:
        """Record that this process signed ``token``."""
        if self._capacity <= 0:
            return
        self._digests[_digest(token)] = None
        if len(self._digests) > self._capacity:
            del self._digests[next(iter(self._digests))]

    def __contains__(self, token: object) -> bool:
        """Whether ``token`` is, byte for byte, one this process signed and still remembers."""
        return isinstance(token, str) and _digest(token) in self._digests

    def __len__(self) -> int:
        return len(self._digests)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
