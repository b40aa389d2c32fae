"""Domain values shared by every layer: projects, their settings, users, delivery methods.

Plain data with no I/O. Wire spellings (Descope's camelCase) live in ``web/schemas.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from limits import parse_many
from pydantic import BaseModel, ConfigDict, Field, field_validator

from passgate.crypto.keys import DEFAULT_ALGORITHM, Algorithm


class Method(StrEnum):
    """How a one-time secret reaches the user (the ``{m}`` path suffix)."""

    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    WHATSAPP = "whatsapp"

    @property
    def is_phone(self) -> bool:
        return self is not Method.EMAIL

    @property
    def amr(self) -> str:
        """The JWT ``amr`` value for this method (voice counts as ``sms``, as in Descope)."""
        return "sms" if self is Method.VOICE else self.value


class RateLimitSettings(BaseModel):
    """Per-project limits, in the ``limits`` library's notation (``;`` joins several)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sends_per_login_id: str = "1/30 seconds;5/hour;10/day"
    sends_per_project: str = "600/minute"
    verifies_per_ip: str = "60/minute"
    verifies_per_login_id: str = "10/minute"
    requests_per_ip: str = "600/minute"
    management_per_key: str = "1000/10 seconds"
    phone_sends_per_prefix: str = "20/hour;100/day"
    phone_sends_per_project: str = "10000/day"

    @field_validator("*")
    @classmethod
    def _parseable(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # raises ValueError on a malformed limit
        return value


class ProjectSettings(BaseModel):
    """Per-project behaviour, stored as JSON with the project and changeable at run time."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    otp_length: int = Field(default=6, ge=6, le=10)
    otp_expiry_seconds: int = Field(default=300, ge=30, le=86_400)
    otp_max_attempts: int = Field(default=5, ge=1, le=20)
    max_failed_verifications: int = Field(
        default=20, ge=1, le=10_000, description="Failed verifications per login ID per 24 h, across codes."
    )
    session_ttl_seconds: int = Field(default=600, ge=60, le=86_400)
    refresh_ttl_seconds: int = Field(default=28 * 86_400, ge=300, le=365 * 86_400)
    refresh_rotation: bool = Field(default=True, description="Each refresh returns a new refresh JWT (reuse detected).")
    jwt_algorithm: Algorithm = DEFAULT_ALGORITHM
    link_expiry_seconds: int = Field(default=600, ge=30, le=86_400)
    enchanted_link_expiry_seconds: int = Field(default=600, ge=30, le=86_400)
    approved_redirect_urls: tuple[str, ...] = ("http://localhost",)
    default_redirect_url: str = ""
    providers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Per channel, the provider IDs to use in order (default: all configured)."
    )
    default_locale: str = Field(default="", description="Message locale when the request names none.")
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    token_delivery: Literal["body", "cookies"] = Field(
        default="body",
        description="cookies: the refresh JWT travels only as an HttpOnly DSR cookie (and the session also as DS).",
    )
    hide_login_existence: bool = Field(
        default=False,
        description="Sign-in of an unknown login ID answers like a known one and sends nothing.",
    )
    phone_countries: tuple[str, ...] = Field(
        default=(), description="ISO regions (e.g. US, GB) SMS, voice and WhatsApp may reach; empty allows all."
    )
    enabled_channels: tuple[Method, ...] = Field(
        default=tuple(Method), description="The channels codes and links may be sent through; others are refused."
    )


@dataclass(frozen=True)
class Project:
    """A tenant of the server: its own users, keys and settings."""

    id: str
    name: str
    settings: ProjectSettings
    created_at: float


class UserStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    INVITED = "invited"


@dataclass(frozen=True)
class TenantAccess:
    """A principal's membership of one tenant and what it may do there."""

    tenant_id: str
    tenant_name: str
    role_names: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Authorization:
    """What a principal (user or access key) may do: project-level roles and permissions,
    and per tenant. Role and permission names are resolved at load time, so a rename shows
    at the next load (the next session or refresh)."""

    role_names: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    tenants: tuple[TenantAccess, ...] = ()

    def claims(self) -> dict[str, Any]:
        """The JWT claims ``roles``, ``permissions`` and ``tenants`` (contract §3.3)."""
        return {
            "roles": list(self.role_names),
            "permissions": list(self.permissions),
            "tenants": {
                t.tenant_id: {"roles": list(t.role_names), "permissions": list(t.permissions)} for t in self.tenants
            },
        }

    def tenant(self, tenant_id: str) -> TenantAccess | None:
        return next((t for t in self.tenants if t.tenant_id == tenant_id), None)


@dataclass(frozen=True)
class User:
    """A user as stored; ``login_ids`` are in order, the primary first."""

    id: str
    project_id: str
    login_ids: tuple[str, ...]
    status: UserStatus
    created_at: float
    modified_at: float
    name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    email: str = ""
    verified_email: bool = False
    phone: str = ""
    verified_phone: bool = False
    test: bool = False
    picture: str = ""
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    authz: Authorization = field(default_factory=Authorization)


@dataclass(frozen=True)
class UserProfile:
    """The fields a caller may supply when a user is created."""

    name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    picture: str = ""
    verified_email: bool = False
    verified_phone: bool = False
    custom_attributes: dict[str, Any] = field(default_factory=dict)


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
