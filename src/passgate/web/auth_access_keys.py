"""Access-key exchange (contract §2.7): ``POST /v1/auth/accesskey/exchange`` with bearer
``P:<accessKey>`` (or ``P:<accessKey>:<authMgmtKey>``) answers a session JWT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from passgate.auth import access_keys
from passgate.web.bearer import AuthDep, bearer_scheme, parse_bearer
from passgate.web.schemas import Request


class AccessKeyLoginOptionsIn(Request):
    customClaims: dict[str, Any] | None = None
    selectedTenant: str | None = Field(default=None, max_length=64)


class ExchangeRequest(Request):
    loginOptions: AccessKeyLoginOptionsIn | None = None

    def to_options(self) -> access_keys.ExchangeOptions:
        options = self.loginOptions or AccessKeyLoginOptionsIn()
        return access_keys.ExchangeOptions(
            custom_claims=options.customClaims or {}, selected_tenant=options.selectedTenant or ""
        )


class ExchangeResponse(BaseModel):
    keyId: str
    sessionJwt: str = Field(description="A session JWT (drn DS) whose sub is the key ID; there is no refresh JWT.")
    expiration: int = Field(description="When the session JWT expires, unix seconds.")


async def access_key_of(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> str | None:
    """The access key in the bearer: its first part after the project ID that is not a JWT."""
    return parse_bearer(credentials).secret


AccessKeyDep = Annotated[str | None, Depends(access_key_of)]


async def exchange(call: AuthDep, access_key: AccessKeyDep, body: ExchangeRequest | None = None) -> ExchangeResponse:
    """A session JWT for the access key in the bearer (any body, or none)."""
    options = body.to_options() if body else access_keys.ExchangeOptions()
    session = await access_keys.exchange(call.ctx, call.project, access_key, options, call.caller)
    return ExchangeResponse(keyId=session.key_id, sessionJwt=session.session_jwt, expiration=session.expires_at)


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/auth/accesskey/exchange", exchange, "access key"),
]
