"""``/v1/auth/oauth/*`` and the provider's return to ``/v1/oauth/callback`` (contract
part 2 §3)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from passgate.web.schemas.base import LoginIdString, LoginOptionsIn, Request

_SPELLINGS = {"provider": "provider", "redirecturl": "redirectURL", "loginhint": "loginHint"}


class OAuthStartQuery(Request):
    """The start's query: ``redirectURL`` as the SDKs spell it, ``redirectUrl`` as the docs
    do — any case is accepted."""

    provider: str | None = Field(default=None, max_length=64)
    redirectURL: str | None = Field(default=None, max_length=2000)
    loginHint: str | None = Field(default=None, max_length=320)

    @model_validator(mode="before")
    @classmethod
    def _any_case(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        return {_SPELLINGS.get(str(key).lower(), key): value for key, value in values.items()}


# The start's body is the loginOptions themselves (or {}), as every SDK sends it.
OAuthStartRequest = LoginOptionsIn


class OAuthStartResponse(BaseModel):
    url: str


class OAuthExchangeRequest(Request):
    code: str | None = Field(default=None, max_length=200)


class ProviderTokenQuery(Request):
    loginId: LoginIdString | None = None
    provider: str | None = Field(default=None, max_length=64)
    withRefreshToken: bool | None = None
    forceRefresh: bool | None = None


class ProviderTokenResponse(BaseModel):
    provider: str
    providerUserId: str
    accessToken: str
    expiration: int
    scopes: list[str]
    refreshToken: str = ""
