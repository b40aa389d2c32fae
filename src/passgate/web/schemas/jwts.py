"""Wire shapes of the management JWT calls: update, impersonation, sign-in/up, anonymous (contract §5.6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from passgate.mgmt import jwts
from passgate.mgmt.users import UserFields
from passgate.web.schemas.base import (
    AuditedRequest,
    Request,
    SignUpUserIn,
)

_JWT = Field(default=None, max_length=16_384, description="A session or refresh JWT of this project.")

_TENANT = Field(default=None, max_length=64, description="A tenant the user belongs to, set as the dct claim.")


class TokenOptionsIn(Request):
    customClaims: dict[str, Any] | None = Field(default=None, description="Top-level claims (at most 100).")
    selectedTenant: str | None = _TENANT
    refreshDuration: int | None = Field(
        default=None, ge=0, description="Refresh JWT lifetime in seconds; 0 = the project's (never beyond it)."
    )

    def to_options(self) -> jwts.TokenOptions:
        return jwts.TokenOptions(
            claims=self.customClaims or {}, tenant=self.selectedTenant or "", refresh_seconds=self.refreshDuration or 0
        )


class UpdateJWTRequest(TokenOptionsIn):
    jwt: str | None = _JWT


class MgmtSignInRequest(AuditedRequest, TokenOptionsIn):
    stepup: bool | None = None
    mfa: bool | None = None
    revokeOtherSessions: bool | None = None
    jwt: str | None = _JWT


class MgmtSignUpUserIn(SignUpUserIn):
    emailVerified: bool | None = None
    phoneVerified: bool | None = None
    ssoAppId: str | None = Field(default=None, max_length=200)


class MgmtSignUpRequest(AuditedRequest, TokenOptionsIn):
    user: MgmtSignUpUserIn | None = None
    emailVerified: bool | None = None
    phoneVerified: bool | None = None
    ssoAppId: str | None = Field(default=None, max_length=200)

    def to_fields(self) -> UserFields:
        user = self.user or MgmtSignUpUserIn()
        profile = user.to_profile()
        return UserFields(
            name=profile.name,
            given_name=profile.given_name,
            middle_name=profile.middle_name,
            family_name=profile.family_name,
            email=profile.email,
            phone=profile.phone,
            verified_email=bool(self.emailVerified or user.emailVerified),
            verified_phone=bool(self.phoneVerified or user.phoneVerified),
        )


class ImpersonateRequest(AuditedRequest, TokenOptionsIn):
    impersonatorId: str | None = Field(default=None, max_length=320, description="User ID or login ID.")
    validateConsent: bool | None = None
    stepup: bool | None = None


class StopImpersonationRequest(TokenOptionsIn):
    jwt: str | None = _JWT


class JWTOnlyResponse(BaseModel):
    jwt: str
