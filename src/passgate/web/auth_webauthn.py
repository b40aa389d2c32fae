"""Endpoints of ``/v1/auth/webauthn/*``."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import passkeys
from passgate.models.sessions import SessionTokens
from passgate.models.users import UserProfile
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import login_options
from passgate.web.schemas.base import required
from passgate.web.schemas.passkeys import (
    PasskeyFinishRequest,
    PasskeySignInStartRequest,
    PasskeySignUpStartRequest,
    PasskeyStartResponse,
    PasskeyUpdateFinishResponse,
    PasskeyUpdateStartRequest,
    passkey_options,
)
from passgate.web.schemas.sessions import JWTResponse


async def sign_up_start(body: PasskeySignUpStartRequest, call: AuthCall) -> PasskeyStartResponse:
    """Options to create a passkey for a new user (E062107 if the login ID exists)."""
    profile = body.user.to_profile() if body.user else UserProfile()
    started = await passkeys.start_sign_up(
        call.ctx,
        call.project,
        required(body.login_id(), "loginId"),
        profile,
        required(body.origin, "origin"),
        login_options(body.loginOptions),
        passkey_options(body.passkeyOptions),
    )
    return PasskeyStartResponse.of(started)


async def sign_in_start(body: PasskeySignInStartRequest, call: AuthCall) -> PasskeyStartResponse:
    """Options to sign in with a passkey (an empty ``loginId``: any passkey of this RP)."""
    started = await passkeys.start_sign_in(
        call.ctx,
        call.project,
        body.loginId or "",
        required(body.origin, "origin"),
        login_options(body.loginOptions),
        call.refresh_jwt,
    )
    return PasskeyStartResponse.of(started)


async def sign_up_or_in_start(body: PasskeySignInStartRequest, call: AuthCall) -> PasskeyStartResponse:
    """Sign-in options if the login ID exists, else sign-up options (``create`` tells which)."""
    started = await passkeys.start_sign_up_or_in(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.origin, "origin"),
        login_options(body.loginOptions),
        passkey_options(body.passkeyOptions),
    )
    return PasskeyStartResponse.of(started)


async def update_start(body: PasskeyUpdateStartRequest, call: AuthCall) -> PasskeyStartResponse:
    """Options to add a passkey to the signed-in user (``mfa``: the finish answers a session)."""
    started = await passkeys.start_update(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.origin, "origin"),
        call.refresh_jwt,
        passkey_options(body.passkeyOptions),
        mfa=bool(body.mfa),
    )
    return PasskeyStartResponse.of(started)


async def sign_up_finish(body: PasskeyFinishRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Register the passkey, create the user; its session."""
    return await _signed_in(passkeys.SIGNUP, body, call, response)


async def sign_in_finish(body: PasskeyFinishRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Check the passkey's assertion; the session it earns."""
    return await _signed_in(passkeys.SIGNIN, body, call, response)


async def update_finish(body: PasskeyFinishRequest, call: AuthCall, response: Response) -> PasskeyUpdateFinishResponse:
    """Add the passkey; ``{"jwt": …}`` if the start asked for MFA, else ``{}``."""
    tokens = await _finished(passkeys.UPDATE, body, call)
    return PasskeyUpdateFinishResponse(jwt=jwt_answer(call.project, tokens, response) if tokens else None)


async def _signed_in(kind: str, body: PasskeyFinishRequest, call: AuthCall, response: Response) -> JWTResponse:
    tokens = await _finished(kind, body, call)
    assert tokens is not None  # sign-up and sign-in always open a session
    return jwt_answer(call.project, tokens, response)


async def _finished(kind: str, body: PasskeyFinishRequest, call: AuthCall) -> SessionTokens | None:
    transaction_id = required(body.transaction(), "transactionId")
    return await passkeys.finish(call.ctx, call.project, kind, transaction_id, body.response, call.caller)
