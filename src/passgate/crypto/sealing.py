"""The master secret and what is derived from it.

One 256-bit master secret (``PASSGATE_SECRET_KEY`` or ``<data_dir>/secret.key``) yields,
through HKDF, independent keys for each purpose: HMAC of one-time codes, and AES-256-GCM
sealing of private signing keys and queued message payloads. A database dump alone thus
reveals neither codes nor signing keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


class Secrets:
    """Keys derived from the master secret, one per purpose."""

    def __init__(self, master: bytes) -> None:
        if len(master) < 32:
            raise ValueError("the master secret must be at least 32 bytes")
        self._code_key = _derive(master, "passgate/otp-hmac/v1")
        self._aead = AESGCM(_derive(master, "passgate/seal/v1"))

    def code_mac(self, *parts: str) -> str:
        """HMAC-SHA256 (hex) of ``parts`` joined unambiguously, under the code key."""
        message = b"\x1f".join(part.encode() for part in parts)
        return hmac.new(self._code_key, message, hashlib.sha256).hexdigest()

    def seal(self, plaintext: bytes, context: str) -> str:
        """Encrypt and authenticate ``plaintext`` bound to ``context``; URL-safe text out."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, token: str, context: str) -> bytes:
        """Reverse ``seal``; raises ``cryptography.exceptions.InvalidTag`` if tampered."""
        raw = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())


def load_or_create_master_secret(configured: str | None, path: Path) -> bytes:
    """The master secret: ``configured`` (base64url or hex) if set, else the file at ``path``.

    The file is created once, readable by the owner only. Every worker and instance that
    shares a database must share this secret.
    """
    if configured:
        return _decode_secret(configured)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    return _decode_secret(path.read_text().strip())


def _decode_secret(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) < 32:
        raise ValueError("PASSGATE_SECRET_KEY must encode at least 32 bytes")
    return raw
