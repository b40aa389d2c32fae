"""Management JWT calls: update JWT, impersonation, management sign-in/up (contract §5.6).

Management sign-in, sign-up and anonymous answer a JWTResponse with both tokens in the
body whatever the project's token delivery: the caller is a server, and the SDK reads
neither cookie here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from passgate.mgmt import jwts
from passgate.mgmt.users import UserFields
from passgate.web.bearer import MgmtDep
from passgate.web.parsing import required
from passgate.web.schemas import LOGIN_ID, JWTResponse, Request, SignUpUserIn

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


class MgmtSignInRequest(TokenOptionsIn):
    loginId: str | None = LOGIN_ID
    stepup: bool | None = None
    mfa: bool | None = None
    revokeOtherSessions: bool | None = None
    jwt: str | None = _JWT


class MgmtSignUpUserIn(SignUpUserIn):
    emailVerified: bool | None = None
    phoneVerified: bool | None = None
    ssoAppId: str | None = Field(default=None, max_length=200)


class MgmtSignUpRequest(TokenOptionsIn):
    loginId: str | None = LOGIN_ID
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


class ImpersonateRequest(TokenOptionsIn):
    loginId: str | None = LOGIN_ID
    impersonatorId: str | None = Field(default=None, max_length=320, description="User ID or login ID.")
    validateConsent: bool | None = None
    stepup: bool | None = None


class StopImpersonationRequest(TokenOptionsIn):
    jwt: str | None = _JWT


class JWTOnlyResponse(BaseModel):
    jwt: str


async def update_jwt(body: UpdateJWTRequest, call: MgmtDep) -> JWTOnlyResponse:
    """The JWT with custom claims merged in and its authorization claims refreshed."""
    jwt = await jwts.update_jwt(
        call.ctx, call.project, body.jwt or "", body.customClaims or {}, body.refreshDuration or 0
    )
    return JWTOnlyResponse(jwt=jwt)


async def impersonate(body: ImpersonateRequest, call: MgmtDep) -> JWTOnlyResponse:
    """A refresh JWT of the user, recording the impersonator in its ``act`` claim."""
    return JWTOnlyResponse(jwt=await jwts.impersonate(call.ctx, call.project, _impersonation(body), call.caller))


async def impersonate_stepup(body: ImpersonateRequest, call: MgmtDep) -> JWTOnlyResponse:
    """As ``impersonate``, with the impersonated sessions stepped up."""
    request = dataclasses.replace(_impersonation(body), stepup=True)
    return JWTOnlyResponse(jwt=await jwts.impersonate(call.ctx, call.project, request, call.caller))


def _impersonation(body: ImpersonateRequest) -> jwts.Impersonation:
    return jwts.Impersonation(
        login_id=required(body.loginId, "loginId"),
        impersonator=required(body.impersonatorId, "impersonatorId"),
        validate_consent=bool(body.validateConsent),
        stepup=bool(body.stepup),
        options=body.to_options(),
    )


async def stop_impersonation(body: StopImpersonationRequest, call: MgmtDep) -> JWTOnlyResponse:
    """A refresh JWT of the impersonator; the impersonated session ends."""
    jwt = await jwts.stop_impersonation(
        call.ctx, call.project, required(body.jwt, "jwt"), body.to_options(), call.caller
    )
    return JWTOnlyResponse(jwt=jwt)


async def sign_in(body: MgmtSignInRequest, call: MgmtDep) -> JWTResponse:
    """Tokens for an existing, enabled user, with no challenge."""
    request = jwts.ManagedSignIn(
        login_id=required(body.loginId, "loginId"),
        stepup=bool(body.stepup),
        mfa=bool(body.mfa),
        revoke_other_sessions=bool(body.revokeOtherSessions),
        jwt=body.jwt or "",
        options=body.to_options(),
    )
    return JWTResponse.of(await jwts.sign_in(call.ctx, call.project, request, call.caller))


async def sign_up(body: MgmtSignUpRequest, call: MgmtDep) -> JWTResponse:
    """Create the user (E062107 if the login ID is taken) and answer its tokens."""
    return JWTResponse.of(await jwts.sign_up(call.ctx, call.project, _sign_up(body), call.caller))


async def sign_up_or_in(body: MgmtSignUpRequest, call: MgmtDep) -> JWTResponse:
    """Create the user if the login ID is free, else sign it in; ``firstSeen`` says which."""
    return JWTResponse.of(await jwts.sign_up(call.ctx, call.project, _sign_up(body), call.caller, or_in=True))


def _sign_up(body: MgmtSignUpRequest) -> jwts.ManagedSignUp:
    return jwts.ManagedSignUp(
        login_id=required(body.loginId, "loginId"), fields=body.to_fields(), options=body.to_options()
    )


async def anonymous(body: TokenOptionsIn, call: MgmtDep) -> JWTResponse:
    """Tokens for a new anonymous user (``danu: true``; nothing stored)."""
    return JWTResponse.of(await jwts.anonymous(call.ctx, call.project, body.to_options()))


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/mgmt/jwt/update", update_jwt, "management"),
    ("POST", "/v1/mgmt/impersonate", impersonate, "management"),
    ("POST", "/v1/mgmt/impersonate/stepup", impersonate_stepup, "management"),
    ("POST", "/v1/mgmt/stop/impersonation", stop_impersonation, "management"),
    ("POST", "/v1/mgmt/auth/signin", sign_in, "management"),
    ("POST", "/v1/mgmt/auth/signup", sign_up, "management"),
    ("POST", "/v1/mgmt/auth/signup-in", sign_up_or_in, "management"),
    ("POST", "/v1/mgmt/auth/anonymous", anonymous, "management"),
]
