"""Management JWT calls: update JWT, impersonation, management sign-in/up (contract §5.6).

Management sign-in, sign-up and anonymous answer a JWTResponse with both tokens in the
body whatever the project's token delivery: the caller is a server, and the SDK reads
neither cookie here.
"""

from __future__ import annotations

import dataclasses

from passgate.mgmt import jwts
from passgate.models.sessions import SessionTokens
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import required
from passgate.web.schemas.jwts import (
    ImpersonateRequest,
    JWTOnlyResponse,
    MgmtSignInRequest,
    MgmtSignUpRequest,
    StopImpersonationRequest,
    TokenOptionsIn,
    UpdateJWTRequest,
)
from passgate.web.schemas.sessions import JWTResponse


async def update_jwt(body: UpdateJWTRequest, call: AuthCall) -> JWTOnlyResponse:
    """The JWT with custom claims merged in and its authorization claims refreshed."""
    jwt = await jwts.update_jwt(
        call.ctx, call.project, body.jwt or "", body.customClaims or {}, body.refreshDuration or 0
    )
    return JWTOnlyResponse(jwt=jwt)


async def impersonate(body: ImpersonateRequest, call: AuthCall) -> JWTOnlyResponse:
    """A refresh JWT of the user, recording the impersonator in its ``act`` claim."""
    return JWTOnlyResponse(jwt=await jwts.impersonate(call.ctx, call.project, _impersonation(body), call.caller))


async def impersonate_stepup(body: ImpersonateRequest, call: AuthCall) -> JWTOnlyResponse:
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


async def stop_impersonation(body: StopImpersonationRequest, call: AuthCall) -> JWTOnlyResponse:
    """A refresh JWT of the impersonator; the impersonated session ends."""
    jwt = await jwts.stop_impersonation(
        call.ctx, call.project, required(body.jwt, "jwt"), body.to_options(), call.caller
    )
    return JWTOnlyResponse(jwt=jwt)


async def sign_in(body: MgmtSignInRequest, call: AuthCall) -> JWTResponse:
    """Tokens for an existing, enabled user, with no challenge."""
    request = jwts.ManagedSignIn(
        login_id=required(body.loginId, "loginId"),
        stepup=bool(body.stepup),
        mfa=bool(body.mfa),
        revoke_other_sessions=bool(body.revokeOtherSessions),
        jwt=body.jwt or "",
        options=body.to_options(),
    )
    return _answer(call, await jwts.sign_in(call.ctx, call.project, request, call.caller))


async def sign_up(body: MgmtSignUpRequest, call: AuthCall) -> JWTResponse:
    """Create the user (E062107 if the login ID is taken) and answer its tokens."""
    return _answer(call, await jwts.sign_up(call.ctx, call.project, _sign_up(body), call.caller))


async def sign_up_or_in(body: MgmtSignUpRequest, call: AuthCall) -> JWTResponse:
    """Create the user if the login ID is free, else sign it in; ``firstSeen`` says which."""
    return _answer(call, await jwts.sign_up(call.ctx, call.project, _sign_up(body), call.caller, or_in=True))


def _answer(call: AuthCall, tokens: SessionTokens) -> JWTResponse:
    """Both tokens in the body (the caller is a server), with the project's cookie domain."""
    return JWTResponse.of(tokens, cookie_domain=call.project.settings.cookie_domain)


def _sign_up(body: MgmtSignUpRequest) -> jwts.ManagedSignUp:
    return jwts.ManagedSignUp(
        login_id=required(body.loginId, "loginId"), fields=body.to_fields(), options=body.to_options()
    )


async def anonymous(body: TokenOptionsIn, call: AuthCall) -> JWTResponse:
    """Tokens for a new anonymous user (``danu: true``; nothing stored)."""
    return _answer(call, await jwts.anonymous(call.ctx, call.project, body.to_options()))
