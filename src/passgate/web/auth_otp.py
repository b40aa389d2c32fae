"""Endpoints of ``/v1/auth/otp/*``."""

from __future__ import annotations

from passgate.auth import otp
from passgate.errors import InvalidArgument, MissingArgument
from passgate.models import LoginOptions, Method, UserProfile
from passgate.web.bearer import AuthDep
from passgate.web.schemas import (
    JWTResponse,
    MaskedEmailResponse,
    MaskedPhoneResponse,
    OTPSignInRequest,
    OTPSignUpRequest,
    OTPVerifyRequest,
    UpdateEmailRequest,
    UpdatePhoneRequest,
)

Masked = MaskedEmailResponse | MaskedPhoneResponse


def masked(method: Method, value: str) -> Masked:
    return MaskedPhoneResponse(maskedPhone=value) if method.is_phone else MaskedEmailResponse(maskedEmail=value)


def required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise MissingArgument(f"Missing field: {name}")
    return value


def signup_address(method: Method, body: OTPSignUpRequest) -> str | None:
    """Body ``email``/``phone``/``voice``/``whatsapp`` first, then ``user.email``/``user.phone``."""
    by_method = {
        Method.EMAIL: body.email,
        Method.SMS: body.phone,
        Method.VOICE: body.voice,
        Method.WHATSAPP: body.whatsapp,
    }
    explicit = by_method[method] or (body.phone if method.is_phone else None)
    if explicit:
        return explicit
    if body.user:
        return body.user.phone if method.is_phone else body.user.email
    return None


async def sign_up(method: Method, body: OTPSignUpRequest, call: AuthDep) -> Masked:
    """Send a sign-up code to a new login ID (E062107 if it exists)."""
    profile = body.user.to_profile() if body.user else None
    options = body.loginOptions.to_domain() if body.loginOptions else None
    value = await otp.sign_up(
        call.ctx,
        call.project,
        method,
        required(body.loginId, "loginId"),
        signup_address(method, body),
        profile or UserProfile(),
        options or LoginOptions(),
    )
    return masked(method, value)


async def sign_in(method: Method, body: OTPSignInRequest, call: AuthDep) -> Masked:
    """Send a sign-in code to an existing user."""
    options = body.loginOptions.to_domain() if body.loginOptions else LoginOptions()
    value = await otp.sign_in(
        call.ctx, call.project, method, required(body.loginId, "loginId"), options, call.refresh_jwt
    )
    return masked(method, value)


async def sign_up_or_in(method: Method, body: OTPSignInRequest, call: AuthDep) -> Masked:
    """Sign in an existing user or sign up a new one."""
    options = body.loginOptions.to_domain() if body.loginOptions else LoginOptions()
    value = await otp.sign_in(
        call.ctx,
        call.project,
        method,
        required(body.loginId, "loginId"),
        options,
        call.refresh_jwt,
        create_if_missing=True,
    )
    return masked(method, value)


async def verify(method: Method, body: OTPVerifyRequest, call: AuthDep) -> JWTResponse:
    """Exchange a code for a session."""
    code = required(body.code, "code").strip()
    if not code.isdigit():
        raise InvalidArgument("The code must be digits")
    tokens = await otp.verify(call.ctx, call.project, method, required(body.loginId, "loginId"), code, call.caller)
    return JWTResponse.of(tokens)


async def update_email(body: UpdateEmailRequest, call: AuthDep) -> MaskedEmailResponse:
    """Send a code to a signed-in user's new email; it replaces the old one on verify."""
    update = otp.AddressUpdate(
        login_id=required(body.loginId, "loginId"),
        address=required(body.email, "email"),
        method=Method.EMAIL,
        add_to_login_ids=bool(body.addToLoginIDs),
        merge_into_existing=bool(body.onMergeUseExisting),
        mfa=bool(body.mfa),
        template_id=body.templateId or "",
        template_options=body.templateOptions or {},
        locale=body.locale or "",
    )
    return MaskedEmailResponse(maskedEmail=await otp.start_update(call.ctx, call.project, update, call.refresh_jwt))


async def update_phone(method: Method, body: UpdatePhoneRequest, call: AuthDep) -> MaskedPhoneResponse:
    """Send a code to a signed-in user's new phone by sms, voice or WhatsApp."""
    if not method.is_phone:
        raise InvalidArgument("Phone updates are delivered by sms, voice or whatsapp")
    update = otp.AddressUpdate(
        login_id=required(body.loginId, "loginId"),
        address=required(body.phone, "phone"),
        method=method,
        add_to_login_ids=bool(body.addToLoginIDs),
        merge_into_existing=bool(body.onMergeUseExisting),
        mfa=bool(body.mfa),
        template_id=body.templateId or "",
        template_options=body.templateOptions or {},
        locale=body.locale or "",
    )
    return MaskedPhoneResponse(maskedPhone=await otp.start_update(call.ctx, call.project, update, call.refresh_jwt))
