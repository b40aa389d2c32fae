"""Wire shapes of magic, enchanted and embedded links (contract §2.2, §2.3, §5.2's link helpers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from passgate.web.schemas.base import (
    AuditedRequest,
    LoginOptionsIn,
    RedirectFields,
    Request,
    SignUpUserIn,
)
from passgate.web.schemas.otp import OTPSignInRequest, OTPSignUpRequest, UpdateEmailRequest, UpdatePhoneRequest
from passgate.web.schemas.users import GenerateOTPRequest


class LinkSignUpRequest(OTPSignUpRequest, RedirectFields):
    pass


class LinkSignInRequest(OTPSignInRequest, RedirectFields):
    pass


class LinkUpdateEmailRequest(UpdateEmailRequest, RedirectFields):
    pass


class LinkUpdatePhoneRequest(UpdatePhoneRequest, RedirectFields):
    pass


class TokenRequest(Request):
    token: str | None = Field(default=None, max_length=200)


class PendingRefRequest(Request):
    pendingRef: str | None = Field(default=None, max_length=200)


class EnchantedEmailResponse(BaseModel):
    linkId: str
    pendingRef: str
    maskedEmail: str


class EnchantedPhoneResponse(BaseModel):
    linkId: str
    pendingRef: str
    maskedPhone: str


class GenerateMagicLinkRequest(GenerateOTPRequest, RedirectFields):
    pass


class GenerateEnchantedLinkRequest(AuditedRequest, RedirectFields):
    loginOptions: LoginOptionsIn | None = None


class GenerateMagicLinkResponse(BaseModel):
    loginId: str
    link: str


class GenerateEnchantedLinkResponse(BaseModel):
    loginId: str
    link: str
    pendingRef: str


class EmbeddedSignInRequest(AuditedRequest):
    customClaims: dict[str, Any] | None = None
    timeout: int | None = Field(default=None, ge=0, le=86_400)


class EmbeddedSignUpRequest(AuditedRequest):
    user: SignUpUserIn | None = None
    loginOptions: LoginOptionsIn | None = None
    emailVerified: bool | None = None
    phoneVerified: bool | None = None
    timeout: int | None = Field(default=None, ge=0, le=86_400)


class TokenResponse(BaseModel):
    token: str


Enchanted = EnchantedEmailResponse | EnchantedPhoneResponse
