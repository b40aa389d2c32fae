"""``/v1/auth/password/*`` and the password management routes (contract §2.5, part 2 §5)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passgate.models.passwords import MAX_PASSWORD_LENGTH, PasswordPolicy
from passgate.web.schemas.base import AuditedRequest, LoginOptionsIn, Request, SignUpUserIn

# A little over the policy's maximum, so a too-long password is refused by the policy with
# its reason rather than by the schema; nothing longer is ever read.
PASSWORD = Field(default=None, max_length=MAX_PASSWORD_LENGTH * 4)


class PasswordSignUpRequest(AuditedRequest):
    password: str | None = PASSWORD
    user: SignUpUserIn | None = None
    loginOptions: LoginOptionsIn | None = None


class PasswordSignInRequest(AuditedRequest):
    password: str | None = PASSWORD
    loginOptions: LoginOptionsIn | None = None


class PasswordReplaceRequest(AuditedRequest):
    oldPassword: str | None = PASSWORD
    newPassword: str | None = PASSWORD


class PasswordUpdateRequest(AuditedRequest):
    newPassword: str | None = PASSWORD


class PasswordResetRequest(AuditedRequest):
    redirectUrl: str | None = Field(default=None, max_length=2000)
    templateOptions: dict[str, str] | None = None


class PasswordResetResponse(BaseModel):
    """How the reset link went out; ``pendingRef`` and ``linkId`` only for an enchanted link."""

    resetMethod: str
    maskedEmail: str
    pendingRef: str | None = Field(default=None, exclude_if=lambda value: value is None)
    linkId: str | None = Field(default=None, exclude_if=lambda value: value is None)


class PasswordPolicyResponse(BaseModel):
    """What a new password must have (the project's policy)."""

    minLength: int
    lowercase: bool
    uppercase: bool
    number: bool
    nonAlphanumeric: bool

    @classmethod
    def of(cls, policy: PasswordPolicy) -> PasswordPolicyResponse:
        return cls(
            minLength=policy.min_length,
            lowercase=policy.lowercase,
            uppercase=policy.uppercase,
            number=policy.number,
            nonAlphanumeric=policy.non_alphanumeric,
        )


class MgmtPasswordSetRequest(AuditedRequest):
    password: str | None = PASSWORD
    setActive: bool | None = None


class MgmtPasswordExpireRequest(AuditedRequest):
    """Only the login ID."""


class PasswordSettingsQuery(Request):
    tenantId: str | None = Field(default=None, max_length=64)


class PasswordSettings(Request):
    """A policy on the wire (Descope's names; ``blockCommon`` is passgate's own)."""

    enabled: bool = True
    minLength: int = Field(default=8, ge=1, le=MAX_PASSWORD_LENGTH)
    lowercase: bool = False
    uppercase: bool = False
    number: bool = False
    nonAlphanumeric: bool = False
    expiration: bool = False
    expirationWeeks: int = Field(default=0, ge=0, le=520)
    reuse: bool = False
    reuseAmount: int = Field(default=0, ge=0, le=50)
    lock: bool = False
    lockAttempts: int = Field(default=0, ge=0, le=1000)
    blockCommon: bool = True

    @classmethod
    def of(cls, policy: PasswordPolicy) -> PasswordSettings:
        return cls.model_validate(policy.model_dump(by_alias=True))


class PasswordSettingsRequest(Request):
    """A change of a policy: the fields given replace the current ones, the others stay."""

    tenantId: str | None = Field(default=None, max_length=64)
    enabled: bool | None = None
    minLength: int | None = Field(default=None, ge=1, le=MAX_PASSWORD_LENGTH)
    lowercase: bool | None = None
    uppercase: bool | None = None
    number: bool | None = None
    nonAlphanumeric: bool | None = None
    expiration: bool | None = None
    expirationWeeks: int | None = Field(default=None, ge=0, le=520)
    reuse: bool | None = None
    reuseAmount: int | None = Field(default=None, ge=0, le=50)
    lock: bool | None = None
    lockAttempts: int | None = Field(default=None, ge=0, le=1000)
    blockCommon: bool | None = None

    def changes(self) -> dict[str, object]:
        """The given fields, by the policy's wire names."""
        return self.model_dump(exclude={"tenantId"}, exclude_none=True)
