"""What every wire shape shares: request leniency, the audited login ID and user, errors.

The same models validate requests, serialise responses and generate ``/openapi.json``.
Requests accept ``null`` for every optional field and ignore unknown fields, as the
SDKs require (Python sends explicit nulls; Go omits bodies).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from passgate.addresses import normalize_login_id
from passgate.errors import MissingArgument
from passgate.models.sessions import LoginOptions
from passgate.models.users import UserProfile

LOGIN_ID = Field(default=None, max_length=320, description="The user's login ID (email, phone or username).")


def _canonical_login_id(value: str) -> str:
    """``value`` canonicalised (``addresses.normalize_login_id``); a malformed email or
    phone raises ``InvalidArgument`` (E011004) out of validation, as the flows did."""
    # A NUL is left for ``Request``'s own check, which refuses it in any field alike.
    return value if "\x00" in value else normalize_login_id(value)


# A login ID that names a user is canonicalised here, at the edge, for every route (NFKC,
# no ``tel:``/``mailto:``, E.164 phones, lower-cased emails), so no flow can meet two
# spellings of one person.
LoginIdString = Annotated[str, StringConstraints(max_length=320), AfterValidator(_canonical_login_id)]
# A login ID that only filters a search: taken as typed; the flow matches it leniently,
# so a malformed filter value finds nothing instead of failing the search.
LoginIdFilter = Annotated[str, StringConstraints(max_length=320)]
# Times in requests: unix milliseconds, bounded so every database can store them.
UNIX_MS = Field(default=None, ge=0, le=10**15, description="Unix milliseconds.")


def required(value: str | None, name: str) -> str:
    """``value``, or ``MissingArgument`` naming the field if it is absent or blank."""
    if value is None or not value.strip():
        raise MissingArgument(f"Missing field: {name}")
    return value


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


class AuditedRequest(Request):
    """A request that names the login ID it acts on: the audit trail records it with the
    outcome, success or failure (masked, see ``auth/audit.py``)."""

    loginId: LoginIdString | None = LOGIN_ID

    def audited_login_id(self) -> str | None:
        return self.loginId or None


class AuditedResponse(BaseModel):
    """An answer that names the user it concerns: the audit trail records the user's ID."""

    def audited_user_id(self) -> str | None:
        raise NotImplementedError


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


class EmptyResponse(BaseModel):
    """``{}``: the SDKs parse every 2xx body as JSON."""


class ErrorResponse(BaseModel):
    """Every error (contract §1.4)."""

    errorCode: str
    errorDescription: str
    errorMessage: str
    message: str
