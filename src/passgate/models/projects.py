"""Projects and their settings (stored as JSON with the project, changeable at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from limits import parse_many
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from passgate.models.delivery import Method
from passgate.models.keys import DEFAULT_ALGORITHM, Algorithm
from passgate.models.oauth import PROVIDER_NAME, OAuthProvider, effective


class RateLimitSettings(BaseModel):
    """Per-project limits, in the ``limits`` library's notation (``;`` joins several)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    # Sends are limited where they land: a code to a new address right after one to the old
    # address (sign-up, then update/email) is a different destination. ``sends_per_login_id``
    # was this limit's name when it was keyed to the login ID: settings stored under it keep
    # their value here, and a change naming it (``--set rate_limits.sends_per_login_id=``)
    # still sets this limit, so it is looked up first.
    sends_per_address: str = Field(
        default="1/30 seconds;5/hour;10/day",
        validation_alias=AliasChoices("sends_per_login_id", "sends_per_address"),
        description="Codes and links to one address (email or phone) on one channel.",
    )
    sends_per_login_id_cap: str = Field(
        default="10/hour;20/day",
        description="Codes and links for one login ID across all its addresses and channels "
        "(so one account cannot spray messages at many addresses).",
    )
    sends_per_project: str = "600/minute"
    verifies_per_ip: str = "60/minute"
    verifies_per_login_id: str = "10/minute"
    requests_per_ip: str = "600/minute"
    # Any 4xx (429 included) on the routes a browser keeps its session with signs the user
    # out there (refresh, try-refresh, me, me/tenants, me/history), so those are counted
    # apart from the other requests, more generously: a burst of sign-ins from one address
    # (an office behind one NAT) must not sign everyone behind it out.
    session_requests_per_ip: str = Field(
        default="6000/minute",
        description="Session upkeep (refresh, try-refresh, me, me/tenants, me/history) per client IP; "
        "empty: not limited.",
    )
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
    invite_url: str = Field(
        default="", description="Where invitations point when the request gives no inviteUrl (an approved URL)."
    )
    allowed_origins: tuple[str, ...] | None = Field(
        default=None,
        description="Origins (scheme://host[:port]) whose pages may call the auth API from a browser "
        "(CORS) and use its cookies; unset: the origins of approved_redirect_urls.",
    )
    providers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Per channel, the provider IDs to use in order (default: all configured)."
    )
    default_locale: str = Field(default="", description="Message locale when the request names none.")
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    token_delivery: Literal["body", "cookies"] = Field(
        default="body",
        description="cookies: the refresh JWT travels only as an HttpOnly DSR cookie (and the session also as DS).",
    )
    cookie_domain: str = Field(
        default="",
        max_length=253,
        pattern=r"^([a-z0-9-]+(\.[a-z0-9-]+)*)?$",
        description="Domain of the DS/DSR cookies (e.g. example.com, to share them with app.example.com) "
        "and the cookieDomain of JWT answers; empty: host-only.",
    )
    cookie_same_site: Literal["strict", "lax", "none"] = Field(
        default="strict",
        description="SameSite of the DS/DSR cookies: none for a page on another site (always with Secure).",
    )
    webauthn_rp_id: str = Field(
        default="",
        max_length=253,
        pattern=r"^([a-z0-9-]+(\.[a-z0-9-]+)*)?$",
        description="The WebAuthn relying party ID passkeys are bound to (a host name, e.g. example.com, "
        "which also covers its subdomains); empty: the host of the first allowed origin.",
    )
    hide_login_existence: bool = Field(
        default=False,
        description="Sign-in of an unknown login ID answers like a known one and sends nothing.",
    )
    max_failed_passwords_per_ip: int = Field(
        default=1000,
        ge=1,
        le=10_000_000,
        description="Wrong passwords per client IP per 24 h (back-off waits begin after a quarter of them; "
        "a backend signing users in from one address needs more, or their addresses through trusted_proxies).",
    )
    password_reset_method: Literal["magiclink", "enchantedlink"] = Field(
        default="magiclink", description="How a password reset link is sent to the user's verified email."
    )
    phone_countries: tuple[str, ...] = Field(
        default=(), description="ISO regions (e.g. US, GB) SMS, voice and WhatsApp may reach; empty allows all."
    )
    enabled_channels: tuple[Method, ...] = Field(
        default=tuple(Method), description="The channels codes and links may be sent through; others are refused."
    )
    oauth_providers: dict[str, OAuthProvider] = Field(
        default_factory=dict,
        description="Social login: name → {issuer, client_id, client_secret, scopes, ...}; google, microsoft, "
        "apple, github, gitlab and discord need only client_id and client_secret (docs/social-login.md).",
    )

    @field_validator("oauth_providers")
    @classmethod
    def _complete_providers(cls, providers: dict[str, OAuthProvider]) -> dict[str, OAuthProvider]:
        for name, provider in providers.items():
            if not PROVIDER_NAME.match(name):
                raise ValueError(f"{name[:40]!r} is no provider name (lower-case letters, digits, - and _)")
            effective(name, provider)  # raises ValueError naming what is missing
        return providers


@dataclass(frozen=True)
class Project:
    """A tenant of the server: its own users, keys and settings."""

    id: str
    name: str
    settings: ProjectSettings
    created_at: float
