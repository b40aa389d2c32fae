"""Refresh sessions as stored, the tokens a sign-in hands back, and what it asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from passgate.models.users import User


@dataclass(frozen=True)
class SessionRecord:
    id: str
    project_id: str
    user_id: str
    amr: list[str]
    ip: str
    created_at_ms: int
    expires_at_ms: int
    revoked_at_ms: int | None
    current_jti: str | None = None
    previous_jti: str | None = None
    rotated_at_ms: int | None = None

    @property
    def live_jti(self) -> str:
        """The ``jti`` of the refresh JWT currently valid for this session."""
        return self.current_jti or self.id


@dataclass(frozen=True)
class SessionTokens:
    """What a successful authentication hands back."""

    session_jwt: str
    refresh_jwt: str
    session_expires_at: int
    refresh_expires_at: int
    refresh_max_age: int
    user: User
    first_seen: bool
    session_claims: dict[str, Any] = field(default_factory=dict)  # what the session JWT says, for the browser SDK


@dataclass(frozen=True)
class LoginOptions:
    """Descope ``loginOptions``: what the resulting session should carry."""

    stepup: bool = False
    mfa: bool = False
    custom_claims: dict[str, Any] = field(default_factory=dict)
    revoke_other_sessions: bool = False
    template_id: str = ""
    template_options: dict[str, str] = field(default_factory=dict)
    locale: str = ""
    provider_id: str = ""
