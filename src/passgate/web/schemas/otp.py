"""Wire shapes of ``/v1/auth/otp/*`` (contract §2.1), and the address updates OTP and links share."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passgate.web.schemas.base import (
    AuditedRequest,
    LoginOptionsIn,
    SignUpUserIn,
)


class OTPSignUpRequest(AuditedRequest):
    user: SignUpUserIn | None = None
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    voice: str | None = Field(default=None, max_length=40)
    whatsapp: str | None = Field(default=None, max_length=40)
    loginOptions: LoginOptionsIn | None = None


class OTPSignInRequest(AuditedRequest):
    loginOptions: LoginOptionsIn | None = None


class OTPVerifyRequest(AuditedRequest):
    code: str | None = Field(default=None, max_length=20)


class UpdateRequest(AuditedRequest):
    """What every address update carries besides the address."""

    addToLoginIDs: bool | None = None
    onMergeUseExisting: bool | None = None
    templateOptions: dict[str, str] | None = None
    templateId: str | None = Field(default=None, max_length=200)
    providerId: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=35)
    mfa: bool | None = None


class UpdateEmailRequest(UpdateRequest):
    email: str | None = Field(default=None, max_length=320)


class UpdatePhoneRequest(UpdateRequest):
    phone: str | None = Field(default=None, max_length=40)


class MaskedEmailResponse(BaseModel):
    maskedEmail: str


class MaskedPhoneResponse(BaseModel):
    maskedPhone: str


# The SDKs read exactly one of these, by delivery method.
Masked = MaskedEmailResponse | MaskedPhoneResponse
