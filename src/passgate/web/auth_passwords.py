"""Endpoints of ``/v1/auth/password/*``."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import passwords
from passgate.auth.links import EnchantedStart
from passgate.models.sessions import LoginOptions
from passgate.models.users import UserProfile
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import login_options
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.passwords import (
    PasswordPolicyResponse,
    PasswordReplaceRequest,
    PasswordResetRequest,
    PasswordResetResponse,
    PasswordSignInRequest,
    PasswordSignUpRequest,
    PasswordUpdateRequest,
)
from passgate.web.schemas.sessions import JWTResponse


async def sign_up(body: PasswordSignUpRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Create a user with a password and sign it in (E062107 if the login ID exists)."""
    profile = body.user.to_profile() if body.user else UserProfile()
    tokens = await passwords.sign_up(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.password, "password"),
        profile,
        login_options(body.loginOptions),
        call.caller,
    )
    return jwt_answer(call.project, tokens, response)


async def sign_in(body: PasswordSignInRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Sign in with a password (E062909 if it must be replaced first)."""
    tokens = await passwords.sign_in(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.password, "password"),
        login_options(body.loginOptions),
        call.refresh_jwt,
        call.caller,
    )
    return jwt_answer(call.project, tokens, response)


async def replace(body: PasswordReplaceRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Change the password given the current one (expired or not) and sign in."""
    tokens = await passwords.replace(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.oldPassword, "oldPassword"),
        required(body.newPassword, "newPassword"),
        call.caller,
    )
    return jwt_answer(call.project, tokens, response)


async def update(body: PasswordUpdateRequest, call: AuthCall) -> EmptyResponse:
    """Set a new password for the signed-in user (after a reset link's sign-in too)."""
    await passwords.update(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        required(body.newPassword, "newPassword"),
        call.refresh_jwt,
    )
    return EmptyResponse()


async def send_reset(body: PasswordResetRequest, call: AuthCall) -> PasswordResetResponse:
    """Send a reset link to the user's verified email (magic or enchanted, as the project says)."""
    options = LoginOptions(template_options=body.templateOptions or {})
    login_id = required(body.loginId, "loginId")
    sent = await passwords.send_reset(call.ctx, call.project, login_id, body.redirectUrl, options)
    if isinstance(sent, EnchantedStart):
        return PasswordResetResponse(
            resetMethod="enchantedlink", maskedEmail=sent.masked, pendingRef=sent.pending_ref, linkId=sent.link_id
        )
    return PasswordResetResponse(resetMethod="magiclink", maskedEmail=sent)


async def policy(call: AuthCall) -> PasswordPolicyResponse:
    """What a new password must have."""
    return PasswordPolicyResponse.of(await passwords.project_policy(call.ctx, call.project))
