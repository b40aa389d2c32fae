"""Turning validated request models into flow inputs (shared by OTP and link endpoints)."""

from __future__ import annotations

from passgate.auth.intents import AddressUpdate
from passgate.errors import InvalidArgument
from passgate.models.delivery import Method
from passgate.models.sessions import LoginOptions
from passgate.web.schemas.base import LoginOptionsIn, required
from passgate.web.schemas.otp import (
    Masked,
    MaskedEmailResponse,
    MaskedPhoneResponse,
    OTPSignUpRequest,
    UpdateEmailRequest,
    UpdatePhoneRequest,
    UpdateRequest,
)


def masked(method: Method, value: str) -> Masked:
    """``{maskedEmail}`` or ``{maskedPhone}``: the SDKs read exactly one of them by method."""
    return MaskedPhoneResponse(maskedPhone=value) if method.is_phone else MaskedEmailResponse(maskedEmail=value)


def login_options(options: LoginOptionsIn | None) -> LoginOptions:
    return options.to_domain() if options else LoginOptions()


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


def email_update(body: UpdateEmailRequest, redirect_url: str | None = None) -> AddressUpdate:
    return _update(body, required(body.email, "email"), Method.EMAIL, redirect_url)


def phone_update(method: Method, body: UpdatePhoneRequest, redirect_url: str | None = None) -> AddressUpdate:
    if not method.is_phone:
        raise InvalidArgument("Phone updates are delivered by sms, voice or whatsapp")
    return _update(body, required(body.phone, "phone"), method, redirect_url)


def _update(body: UpdateRequest, address: str, method: Method, redirect_url: str | None) -> AddressUpdate:
    return AddressUpdate(
        login_id=required(body.loginId, "loginId"),
        address=address,
        method=method,
        add_to_login_ids=bool(body.addToLoginIDs),
        merge_into_existing=bool(body.onMergeUseExisting),
        mfa=bool(body.mfa),
        template_id=body.templateId or "",
        template_options=body.templateOptions or {},
        locale=body.locale or "",
        redirect_url=redirect_url or "",
        provider_id=body.providerId or "",
    )
