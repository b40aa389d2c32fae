"""Wire shapes of sessions: the JWT answer, history, keys, tenant selection (contract §2.0, §2.6, §2.8)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from passgate.auth import tenants
from passgate.models.sessions import SessionRecord, SessionTokens
from passgate.web.schemas.base import (
    AuditedResponse,
    Request,
)
from passgate.web.schemas.users import UserResponse


class JWTResponse(AuditedResponse):
    """Every verify, refresh and mgmt sign-in answers this (contract §2.0)."""

    # What the browser SDK needs of it: ``sessionExpiration`` (it arms the refresh timer
    # and marks the user signed in), ``claims`` (the only source of React's
    # ``useSession().claims``), ``user`` (saves a ``/me`` call) and the fields of the
    # cookies the SDK itself may write on the page's origin, which expire at
    # ``cookieExpiration`` (unix seconds; without it they expire at once). ``cookieName``,
    # ``trustedDeviceJwt`` and ``knownDeviceJwt`` are never sent: the SDK would store them
    # and send them on every request, even after logout.

    sessionJwt: str
    refreshJwt: str
    cookieDomain: str = ""
    cookiePath: str = "/"
    cookieMaxAge: int
    cookieExpiration: int
    sessionExpiration: int
    user: UserResponse
    firstSeen: bool
    claims: dict[str, Any]

    def audited_user_id(self) -> str | None:
        return self.user.userId

    @classmethod
    def of(cls, tokens: SessionTokens, *, cookie_domain: str = "") -> JWTResponse:
        """The answer for ``tokens``; ``cookie_domain`` is the project's (empty: host-only)."""
        return cls(
            sessionJwt=tokens.session_jwt,
            refreshJwt=tokens.refresh_jwt,
            cookieDomain=cookie_domain,
            cookieMaxAge=tokens.refresh_max_age,
            cookieExpiration=tokens.refresh_expires_at,
            sessionExpiration=tokens.session_expires_at,
            user=UserResponse.of(tokens.user),
            firstSeen=tokens.first_seen,
            claims=tokens.session_claims,
        )


class ValidateResponse(BaseModel):
    """``/v1/auth/validate``: the verified session JWT's claims (contract §2.6)."""

    parsedJWT: dict[str, Any]


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


TenantId = Annotated[str, StringConstraints(max_length=64)]


class SelectTenantRequest(Request):
    tenant: str | None = Field(default=None, max_length=64, description="The tenant to select (the user's).")


class MyTenantsRequest(Request):
    dct: bool | None = Field(default=None, description="Include the tenant the refresh JWT selected.")
    ids: list[TenantId] | None = Field(
        default=None, max_length=1000, description="Include these of the user's tenants."
    )


class TenantOut(BaseModel):
    id: str
    name: str
    customAttributes: dict[str, Any]

    @classmethod
    def of(cls, tenant: tenants.TenantInfo) -> TenantOut:
        return cls(id=tenant.id, name=tenant.name, customAttributes=tenant.custom_attributes)


class MyTenantsResponse(BaseModel):
    tenants: list[TenantOut]
