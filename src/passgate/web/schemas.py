"""Request and response JSON shapes: the one place Descope's field names live.

The same models validate requests, serialise responses and generate ``/openapi.json``.
Requests accept ``null`` for every optional field and ignore unknown fields, as the
SDKs require (Python sends explicit nulls; Go omits bodies).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from passgate.models import LoginOptions, SessionTokens, User, UserProfile
from passgate.storage.sessions_store import SessionRecord

LOGIN_ID = Field(default=None, max_length=320, description="The user's login ID (email, phone or username).")
LoginIdString = Annotated[str, StringConstraints(max_length=320)]


class Request(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Request:
        # PostgreSQL cannot store NUL in text; no legitimate field contains one.
        if _contains_nul(self.model_dump()):
            raise ValueError("strings must not contain NUL characters")
        return self


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class LoginOptionsIn(Request):
    stepup: bool | None = None
    mfa: bool | None = None
    customClaims: dict[str, Any] | None = None
    revokeOtherSessions: bool | None = None
    templateId: str | None = Field(default=None, max_length=200)
    templateOptions: dict[str, str] | None = None
    locale: str | None = Field(default=None, max_length=35)

    def to_domain(self) -> LoginOptions:
        return LoginOptions(
            stepup=bool(self.stepup),
            mfa=bool(self.mfa),
            custom_claims=self.customClaims or {},
            revoke_other_sessions=bool(self.revokeOtherSessions),
            template_id=self.templateId or "",
            template_options=self.templateOptions or {},
            locale=self.locale or "",
        )


class SignUpUserIn(Request):
    """The free-form ``user`` of a sign-up (also accepts snake_case, as the SDK sends in places)."""

    name: str | None = Field(default=None, max_length=400)
    givenName: str | None = Field(default=None, max_length=200, alias="givenName")
    middleName: str | None = Field(default=None, max_length=200)
    familyName: str | None = Field(default=None, max_length=200)
    given_name: str | None = Field(default=None, max_length=200)
    middle_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)

    def to_profile(self) -> UserProfile:
        return UserProfile(
            name=self.name or "",
            given_name=self.givenName or self.given_name or "",
            middle_name=self.middleName or self.middle_name or "",
            family_name=self.familyName or self.family_name or "",
            email=self.email or "",
            phone=self.phone or "",
        )


class RedirectFields(Request):
    """Where a link points: Python sends ``URI``, newer clients ``redirectUrl``."""

    URI: str | None = Field(default=None, max_length=2000)
    redirectUrl: str | None = Field(default=None, max_length=2000)

    @property
    def redirect(self) -> str | None:
        return self.URI or self.redirectUrl


class OTPSignUpRequest(Request):
    loginId: str | None = LOGIN_ID
    user: SignUpUserIn | None = None
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    voice: str | None = Field(default=None, max_length=40)
    whatsapp: str | None = Field(default=None, max_length=40)
    loginOptions: LoginOptionsIn | None = None


class OTPSignInRequest(Request):
    loginId: str | None = LOGIN_ID
    loginOptions: LoginOptionsIn | None = None


class OTPVerifyRequest(Request):
    loginId: str | None = LOGIN_ID
    code: str | None = Field(default=None, max_length=20)


class UpdateRequest(Request):
    """What every address update carries besides the address."""

    loginId: str | None = LOGIN_ID
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


class MaskedEmailResponse(BaseModel):
    maskedEmail: str


class MaskedPhoneResponse(BaseModel):
    maskedPhone: str


# --- users ---------------------------------------------------------------------------------
class UserTenantOut(BaseModel):
    tenantId: str
    tenantName: str = ""
    roleNames: list[str] = []
    permissions: list[str] = []


class UserResponse(BaseModel):
    """Descope's User object (contract §4)."""

    userId: str
    loginIds: list[str]
    name: str
    givenName: str
    middleName: str
    familyName: str
    email: str
    verifiedEmail: bool
    phone: str
    verifiedPhone: bool
    roleNames: list[str]
    userTenants: list[UserTenantOut]
    permissions: list[str]
    status: str
    externalIds: list[str]
    picture: str
    test: bool
    customAttributes: dict[str, Any]
    createdTime: int
    modifiedTime: int
    TOTP: bool = False
    SAML: bool = False
    SCIM: bool = False
    OIDC: bool = False
    push: bool = False
    OAuth: dict[str, bool] = {}
    webauthn: bool = False
    password: bool = False
    ssoAppIds: list[str] = []
    editable: bool = True
    consentExpiration: int = 0

    @classmethod
    def of(cls, user: User) -> UserResponse:
        return cls(
            userId=user.id,
            loginIds=list(user.login_ids),
            name=user.name,
            givenName=user.given_name,
            middleName=user.middle_name,
            familyName=user.family_name,
            email=user.email,
            verifiedEmail=user.verified_email,
            phone=user.phone,
            verifiedPhone=user.verified_phone,
            roleNames=list(user.authz.role_names),
            userTenants=[
                UserTenantOut(
                    tenantId=t.tenant_id,
                    tenantName=t.tenant_name,
                    roleNames=list(t.role_names),
                    permissions=list(t.permissions),
                )
                for t in user.authz.tenants
            ],
            permissions=list(user.authz.permissions),
            status=user.status.value,
            externalIds=list(user.login_ids),
            picture=user.picture,
            test=user.test,
            customAttributes=user.custom_attributes,
            createdTime=int(user.created_at),
            modifiedTime=int(user.modified_at),
        )


class UserWrapper(BaseModel):
    user: UserResponse


class JWTResponse(BaseModel):
    """Every verify, refresh and mgmt sign-in answers this (contract §2.0)."""

    sessionJwt: str
    refreshJwt: str
    cookieDomain: str = ""
    cookiePath: str = "/"
    cookieMaxAge: int
    cookieExpiration: int
    sessionExpiration: int
    user: UserResponse
    firstSeen: bool

    @classmethod
    def of(cls, tokens: SessionTokens) -> JWTResponse:
        return cls(
            sessionJwt=tokens.session_jwt,
            refreshJwt=tokens.refresh_jwt,
            cookieMaxAge=tokens.refresh_max_age,
            cookieExpiration=tokens.refresh_expires_at,
            sessionExpiration=tokens.session_expires_at,
            user=UserResponse.of(tokens.user),
            firstSeen=tokens.first_seen,
        )


class EmptyResponse(BaseModel):
    """``{}``: the SDKs parse every 2xx body as JSON."""


class HistoryEntry(BaseModel):
    userId: str
    loginTime: int
    city: str = ""
    country: str = ""
    ip: str = ""

    @classmethod
    def of(cls, record: SessionRecord) -> HistoryEntry:
        return cls(userId=record.user_id, loginTime=record.created_at_ms // 1000, ip=record.ip)


class JWKSResponse(BaseModel):
    keys: list[dict[str, Any]]


# --- management ----------------------------------------------------------------------------
class MgmtUserCreateRequest(Request):
    loginId: str | None = LOGIN_ID
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    displayName: str | None = Field(default=None, max_length=400)
    name: str | None = Field(default=None, max_length=400)
    givenName: str | None = Field(default=None, max_length=200)
    middleName: str | None = Field(default=None, max_length=200)
    familyName: str | None = Field(default=None, max_length=200)
    picture: str | None = Field(default=None, max_length=2000)
    customAttributes: dict[str, Any] | None = None
    additionalLoginIds: list[LoginIdString] | None = Field(default=None, max_length=20)
    additionalIdentifiers: list[LoginIdString] | None = Field(default=None, max_length=20)
    verifiedEmail: bool | None = None
    verifiedPhone: bool | None = None
    test: bool | None = None

    def to_profile(self) -> UserProfile:
        return UserProfile(
            name=self.displayName or self.name or "",
            given_name=self.givenName or "",
            middle_name=self.middleName or "",
            family_name=self.familyName or "",
            email=self.email or "",
            phone=self.phone or "",
            picture=self.picture or "",
            verified_email=bool(self.verifiedEmail),
            verified_phone=bool(self.verifiedPhone),
            custom_attributes=self.customAttributes or {},
        )


class MgmtUserRefRequest(Request):
    loginId: str | None = LOGIN_ID
    userId: str | None = Field(default=None, max_length=64)


class GenerateOTPRequest(Request):
    loginId: str | None = LOGIN_ID
    deliveryMethod: Literal["email", "sms", "voice", "whatsapp", "Embedded"] | None = None
    loginOptions: LoginOptionsIn | None = None


class GenerateMagicLinkRequest(GenerateOTPRequest, RedirectFields):
    pass


class GenerateEnchantedLinkRequest(RedirectFields):
    loginId: str | None = LOGIN_ID
    loginOptions: LoginOptionsIn | None = None


class GenerateMagicLinkResponse(BaseModel):
    loginId: str
    link: str


class GenerateEnchantedLinkResponse(BaseModel):
    loginId: str
    link: str
    pendingRef: str


class EmbeddedSignInRequest(Request):
    loginId: str | None = LOGIN_ID
    customClaims: dict[str, Any] | None = None
    timeout: int | None = Field(default=None, ge=0, le=86_400)


class EmbeddedSignUpRequest(Request):
    loginId: str | None = LOGIN_ID
    user: SignUpUserIn | None = None
    loginOptions: LoginOptionsIn | None = None
    emailVerified: bool | None = None
    phoneVerified: bool | None = None
    timeout: int | None = Field(default=None, ge=0, le=86_400)


class TokenResponse(BaseModel):
    token: str


class GenerateOTPResponse(BaseModel):
    loginId: str
    code: str


class LicenseResponse(BaseModel):
    rateLimitTier: str = "tier4"


class ErrorResponse(BaseModel):
    """Every error (contract §1.4)."""

    errorCode: str
    errorDescription: str
    errorMessage: str
    message: str


# Times in requests: unix milliseconds, bounded so every database can store them.
UNIX_MS = Field(default=None, ge=0, le=10**15, description="Unix milliseconds.")


class AuditSearchRequest(Request):
    """Descope's audit search (a subset): times are unix milliseconds."""

    userIds: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    actions: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    loginIds: list[LoginIdString] | None = Field(default=None, max_length=100)
    remoteAddresses: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    from_: int | None = Field(default=None, alias="from", ge=0, le=10**15, description="Unix milliseconds.")
    to: int | None = UNIX_MS
    limit: int | None = Field(default=None, ge=1, le=1000)


class AuditRecord(BaseModel):
    projectId: str
    userId: str
    action: str
    occurred: int
    device: str
    method: str
    geo: str
    remoteAddress: str
    externalIds: list[str]
    tenants: list[str]
    data: dict[str, Any]


class AuditSearchResponse(BaseModel):
    audits: list[AuditRecord]
