"""Endpoints of ``/v1/auth/otp/*``."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import otp
from passgate.errors import InvalidArgument
from passgate.models.delivery import Method
from passgate.models.users import UserProfile
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import email_update, login_options, masked, phone_update, signup_address
from passgate.web.schemas.base import required
from passgate.web.schemas.otp import (
    Masked,
    MaskedEmailResponse,
    MaskedPhoneResponse,
    OTPSignInRequest,
    OTPSignUpRequest,
    OTPVerifyRequest,
    UpdateEmailRequest,
    UpdatePhoneRequest,
)
from passgate.web.schemas.sessions import JWTResponse


async def sign_up(method: Method, body: OTPSignUpRequest, call: AuthCall) -> Masked:
    """Send a sign-up code to a new login ID (E062107 if it exists)."""
    value = await otp.sign_up(
        call.ctx,
        call.project,
        method,
        required(body.loginId, "loginId"),
        signup_address(method, body),
        body.user.to_profile() if body.user else UserProfile(),
        login_options(body.loginOptions),
    )
    return masked(method, value)


async def sign_in(method: Method, body: OTPSignInRequest, call: AuthCall) -> Masked:
    """Send a sign-in code to an existing user."""
    return await _send_sign_in(method, body, call, create_if_missing=False)


async def sign_up_or_in(method: Method, body: OTPSignInRequest, call: AuthCall) -> Masked:
    """Sign in an existing user or sign up a new one."""
    return await _send_sign_in(method, body, call, create_if_missing=True)


async def _send_sign_in(method: Method, body: OTPSignInRequest, call: AuthCall, *, create_if_missing: bool) -> Masked:
    value = await otp.sign_in(
        call.ctx,
        call.project,
        method,
        required(body.loginId, "loginId"),
        login_options(body.loginOptions),
        call.refresh_jwt,
        create_if_missing=create_if_missing,
    )
    return masked(method, value)


async def verify(method: Method, body: OTPVerifyRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Exchange a code for a session."""
    code = required(body.code, "code").strip()
    if not code.isdigit():
        raise InvalidArgument("The code must be digits")
    tokens = await otp.verify(call.ctx, call.project, method, required(body.loginId, "loginId"), code, call.caller)
    return jwt_answer(call.project, tokens, response)


async def update_email(body: UpdateEmailRequest, call: AuthCall) -> MaskedEmailResponse:
    """Send a code to a signed-in user's new email; it replaces the old one on verify."""
    value = await otp.start_update(call.ctx, call.project, email_update(body), call.refresh_jwt)
    return MaskedEmailResponse(maskedEmail=value)


async def update_phone(method: Method, body: UpdatePhoneRequest, call: AuthCall) -> MaskedPhoneResponse:
    """Send a code to a signed-in user's new phone by sms, voice or WhatsApp."""
    value = await otp.start_update(call.ctx, call.project, phone_update(method, body), call.refresh_jwt)
    return MaskedPhoneResponse(maskedPhone=value)
