"""Tenants of a project and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

ExpirationUnit = Literal["minutes", "hours", "days", "weeks"]
_MAX_DURATION = 1_000_000  # in any unit: far beyond any sane setting, small enough for every SDK's int32


class TenantSettings(BaseModel):
    """A tenant's SSO and session settings, and the tenant fields that have no column of their own.

    Zero durations mean "the project's value". passgate stores these settings; which of them
    a flow applies is decided by that flow.
    """

    domains: list[str] = []
    auth_type: Literal["none", "saml", "oidc"] = "none"
    session_settings_enabled: bool = False
    refresh_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    refresh_token_expiration_unit: ExpirationUnit = "weeks"  # noqa: S105 (a unit, not a secret)
    session_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    session_token_expiration_unit: ExpirationUnit = "minutes"  # noqa: S105 (a unit, not a secret)
    stepup_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    stepup_token_expiration_unit: ExpirationUnit = "minutes"  # noqa: S105 (a unit, not a secret)
    enable_inactivity: bool = False
    inactivity_time: int = Field(default=0, ge=0, le=_MAX_DURATION)
    inactivity_time_unit: ExpirationUnit = "minutes"
    jit_disabled: bool = False
    sso_setup_suite: dict[str, Any] | None = None
    enforce_sso_exclusions: list[str] = []
    federated_app_ids: list[str] = []


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    self_provisioning_domains: tuple[str, ...] = ()
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    enforce_sso: bool = False
    disabled: bool = False
    settings: TenantSettings = field(default_factory=TenantSettings)
    created_at_ms: int = 0
