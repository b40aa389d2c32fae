"""Passkeys as stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    """A user's passkey: the credential's public key and the last sign count it reported."""

    project_id: str
    credential_id: str  # base64url, as the browser names it
    user_id: str
    public_key: str  # COSE key, base64url
    sign_count: int
    transports: tuple[str, ...]
    aaguid: str
    backup_eligible: bool
    backup_state: bool
    name: str
    rp_id: str
    created_at_ms: int
    last_used_at_ms: int
