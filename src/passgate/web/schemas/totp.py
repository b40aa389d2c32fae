"""``/v1/auth/totp/*``: enrolling an authenticator app and signing in with its codes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passgate.auth.totp import Enrolment
from passgate.web.schemas.base import AuditedRequest, LoginOptionsIn, SignUpUserIn


class TotpSignUpRequest(AuditedRequest):
    user: SignUpUserIn | None = None


class TotpVerifyRequest(AuditedRequest):
    code: str | None = Field(default=None, max_length=20)
    loginOptions: LoginOptionsIn | None = None


class TotpUpdateRequest(AuditedRequest):
    """Only the login ID: the signed-in user is the refresh JWT's."""


class TotpEnrolmentResponse(BaseModel):
    """What an authenticator app is set up from (``image``: a PNG QR code, base64)."""

    provisioningURL: str
    image: str
    key: str

    @classmethod
    def of(cls, enrolment: Enrolment) -> TotpEnrolmentResponse:
        return cls(provisioningURL=enrolment.provisioning_url, image=enrolment.image, key=enrolment.key)
