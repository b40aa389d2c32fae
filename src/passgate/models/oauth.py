"""Social login providers a project offers (its ``oauth_providers`` setting), and the
presets that make the well-known ones a matter of a client ID and secret.

A provider is either an OpenID Connect issuer (``kind`` ``oidc``: its endpoints and keys
are found by discovery from ``issuer``, the ID token is what signs the user in) or one of
the OAuth 2 APIs that are not OIDC (``github``, ``discord``: the user is read from the
provider's API with the access token). A setting named after a preset takes the preset's
values for every field it leaves empty; any other name is a custom OIDC issuer and must give
``issuer``.

``client_secret`` and Apple's ``private_key`` are written in the clear and stored sealed
(``auth/oauth_secrets.py``); they are never shown back.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SEALED_PREFIX = "sealed:v1:"
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")

Kind = Literal["oidc", "github", "discord"]


class OAuthProvider(BaseModel):
    """One provider as configured; empty fields take the preset's value (see ``PRESETS``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind | None = Field(default=None, description="oidc | github | discord; empty: the preset's, else oidc.")
    issuer: str = Field(default="", max_length=500, description="The OpenID Connect issuer (exact, as in its tokens).")
    client_id: str = Field(default="", max_length=500)
    client_secret: str = Field(default="", max_length=8000, description="Write-only; stored sealed.")
    scopes: tuple[str, ...] = Field(
        default=(), description="Scopes asked for; empty: the preset's or openid email profile."
    )
    authorization_endpoint: str = Field(default="", max_length=2000, description="Overrides discovery or the preset.")
    token_endpoint: str = Field(default="", max_length=2000, description="Overrides discovery or the preset.")
    userinfo_endpoint: str = Field(default="", max_length=2000, description="The user API of a non-OIDC provider.")
    jwks_uri: str = Field(default="", max_length=2000, description="Overrides discovery's JWKS (the ID token's keys).")
    tenant: str = Field(
        default="",
        max_length=100,
        description="Microsoft: the Entra tenant (common, organizations, consumers or an ID).",
    )
    team_id: str = Field(
        default="", max_length=20, description="Apple: the team ID the client secret JWT is issued by."
    )
    key_id: str = Field(default="", max_length=20, description="Apple: the ID of the Sign in with Apple key.")
    private_key: str = Field(default="", max_length=8000, description="Apple: the key's PEM (.p8); write-only, sealed.")
    link_verified_email: bool = Field(
        default=True,
        description="Sign in the existing user whose email the provider asserts verified; false: never link.",
    )
    sign_up: bool = Field(default=True, description="Create a user on a first sign-in; false: refuse unknown users.")
    store_tokens: bool = Field(default=False, description="Keep the provider's tokens (sealed) for the management API.")

    @field_validator("scopes")
    @classmethod
    def _scope_words(cls, scopes: tuple[str, ...]) -> tuple[str, ...]:
        if len(scopes) > 50 or not all(re.fullmatch(r"[\x21\x23-\x5b\x5d-\x7e]{1,200}", s) for s in scopes):
            raise ValueError("scopes are at most 50 words without spaces, quotes or backslashes")
        return scopes


# Presets: the values a setting named after a well-known provider starts from.
PRESETS: dict[str, OAuthProvider] = {
    "google": OAuthProvider(kind="oidc", issuer="https://accounts.google.com", scopes=("openid", "email", "profile")),
    # ``{tenant}`` is filled from the setting's ``tenant`` (default common); with a multi-tenant
    # value the ID token's ``iss`` names the user's own tenant (``auth/oauth_providers.py``).
    "microsoft": OAuthProvider(
        kind="oidc",
        issuer="https://login.microsoftonline.com/{tenant}/v2.0",
        tenant="common",
        scopes=("openid", "email", "profile"),
    ),
    "apple": OAuthProvider(kind="oidc", issuer="https://appleid.apple.com", scopes=("openid", "email", "name")),
    "gitlab": OAuthProvider(kind="oidc", issuer="https://gitlab.com", scopes=("openid", "email", "profile")),
    "github": OAuthProvider(
        kind="github",
        authorization_endpoint="https://github.com/login/oauth/authorize",
        token_endpoint="https://github.com/login/oauth/access_token",  # noqa: S106 (a URL, not a password)
        userinfo_endpoint="https://api.github.com",
        scopes=("read:user", "user:email"),
    ),
    "discord": OAuthProvider(
        kind="discord",
        authorization_endpoint="https://discord.com/oauth2/authorize",
        token_endpoint="https://discord.com/api/oauth2/token",  # noqa: S106 (a URL, not a password)
        userinfo_endpoint="https://discord.com/api",
        scopes=("identify", "email"),
    ),
}

_DEFAULT_OIDC_SCOPES = ("openid", "email", "profile")
_MULTI_TENANT = ("common", "organizations", "consumers")


def effective(name: str, configured: OAuthProvider) -> OAuthProvider:
    """``configured`` with the preset of ``name`` filling what it left empty, Microsoft's
    tenant placed in its issuer; ``ValueError`` for a custom provider without an issuer."""
    preset = PRESETS.get(name)
    values = configured.model_dump(exclude_defaults=True)
    merged = preset.model_copy(update=values) if preset else configured
    kind = merged.kind or "oidc"
    scopes = merged.scopes or (_DEFAULT_OIDC_SCOPES if kind == "oidc" else ())
    issuer = merged.issuer.replace("{tenant}", merged.tenant or "common")
    if kind == "oidc" and not issuer:
        raise ValueError(f"oauth provider {name!r} needs an issuer (it is not one of {', '.join(sorted(PRESETS))})")
    if kind != "oidc" and not (merged.authorization_endpoint and merged.token_endpoint and merged.userinfo_endpoint):
        raise ValueError(f"oauth provider {name!r} needs authorization_endpoint, token_endpoint and userinfo_endpoint")
    return merged.model_copy(update={"kind": kind, "scopes": scopes, "issuer": issuer})


def multi_tenant_issuer(name: str, provider: OAuthProvider) -> bool:
    """Whether the ID token's ``iss`` names the signed-in user's own Microsoft tenant rather
    than the configured issuer (the ``common``/``organizations``/``consumers`` endpoints)."""
    return name == "microsoft" and (provider.tenant or "common") in _MULTI_TENANT
