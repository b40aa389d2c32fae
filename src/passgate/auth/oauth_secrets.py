"""Provider secrets at rest: the ``client_secret`` and Apple ``private_key`` of a project's
``oauth_providers`` are written in the clear, sealed (AES-GCM under the master secret, bound
to the project, provider and field) before the settings are stored, opened only to talk to
the provider, and never shown: a settings dump names them ``"(sealed)"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.exceptions import InvalidTag

from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidArgument
from passgate.models.oauth import SEALED_PREFIX, OAuthProvider
from passgate.models.projects import ProjectSettings

SECRET_FIELDS = ("client_secret", "private_key")
APPLE_AUDIENCE = "https://appleid.apple.com"
_APPLE_SECRET_SECONDS = 300
SHOWN_SEALED = "(sealed)"


def _context(project_id: str, provider: str, field: str) -> str:
    return f"oauth-provider/{project_id}/{provider}/{field}"


def sealed_settings(secrets: Secrets, project_id: str, settings: ProjectSettings) -> ProjectSettings:
    """``settings`` with every provider secret given in the clear sealed; a value that looks
    sealed must open here (``InvalidArgument`` otherwise: a secret copied from another
    server or provider would fail only at the first sign-in)."""
    providers = {
        name: _sealed(secrets, project_id, name, provider) for name, provider in settings.oauth_providers.items()
    }
    return settings.model_copy(update={"oauth_providers": providers})


def _sealed(secrets: Secrets, project_id: str, name: str, provider: OAuthProvider) -> OAuthProvider:
    update: dict[str, str] = {}
    for field in SECRET_FIELDS:
        value: str = getattr(provider, field)
        if value == SHOWN_SEALED:
            raise InvalidArgument(f"oauth_providers.{name}.{field}: give the secret itself, not {SHOWN_SEALED}")
        if not value:
            continue
        if value.startswith(SEALED_PREFIX):
            opened(secrets, project_id, name, field, value)
            continue
        update[field] = seal(secrets, project_id, name, value, field)
    return provider.model_copy(update=update) if update else provider


def seal(secrets: Secrets, project_id: str, name: str, value: str, field: str = "client_secret") -> str:
    """``value`` sealed as the secret ``field`` of provider ``name`` (``opened`` reverses it)."""
    return SEALED_PREFIX + secrets.seal(value.encode(), _context(project_id, name, field))


def opened(secrets: Secrets, project_id: str, provider: str, field: str, value: str) -> str:
    """The clear text of a stored secret ("" for none)."""
    if not value:
        return ""
    try:
        return secrets.unseal(value.removeprefix(SEALED_PREFIX), _context(project_id, provider, field)).decode()
    except (InvalidTag, ValueError) as exc:
        raise InvalidArgument(f"oauth_providers.{provider}.{field} does not open with this server's key") from exc


def client_secret(secrets: Secrets, project_id: str, name: str, provider: OAuthProvider, now: float) -> str:
    """The client secret to authenticate with: the stored one opened, or for Apple (a
    ``private_key`` set) an ES256 JWT made from the team's key, valid five minutes, as
    Sign in with Apple requires."""
    if not provider.private_key:
        return opened(secrets, project_id, name, "client_secret", provider.client_secret)
    key = opened(secrets, project_id, name, "private_key", provider.private_key)
    claims = {
        "iss": provider.team_id,
        "iat": int(now),
        "exp": int(now) + _APPLE_SECRET_SECONDS,
        "aud": APPLE_AUDIENCE,
        "sub": provider.client_id,
    }
    try:
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": provider.key_id})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise InvalidArgument(f"oauth_providers.{name}.private_key is not an EC P-256 key in PEM") from exc


def sealed_tokens(secrets: Secrets, project_id: str, name: str, token: Mapping[str, Any], now: float) -> str:
    """The provider's tokens to keep (``store_tokens``), sealed for the project and provider,
    with when the access token expires (unix s; 0: the provider did not say)."""
    kept = {k: token[k] for k in ("access_token", "refresh_token", "scope", "token_type") if k in token}
    lifetime = token.get("expires_in")
    kept["expires_at"] = int(now) + int(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 0
    return secrets.seal(json.dumps(kept).encode(), _context(project_id, name, "tokens"))


def opened_tokens(secrets: Secrets, project_id: str, name: str, sealed: str) -> dict[str, Any]:
    """The kept tokens of ``sealed_tokens`` ({} when none were kept)."""
    if not sealed:
        return {}
    tokens: dict[str, Any] = json.loads(secrets.unseal(sealed, _context(project_id, name, "tokens")))
    return tokens


def kept_as_shown(patch: Mapping[str, Any]) -> dict[str, Any]:
    """A settings change with the ``"(sealed)"`` placeholders of a copied dump left out, so
    the stored secrets they stand for are kept."""
    providers = patch.get("oauth_providers")
    if not isinstance(providers, Mapping):
        return dict(patch)
    cleaned = {
        name: {k: v for k, v in value.items() if not (k in SECRET_FIELDS and v == SHOWN_SEALED)}
        if isinstance(value, Mapping)
        else value
        for name, value in providers.items()
    }
    return {**patch, "oauth_providers": cleaned}


def shown(settings: ProjectSettings) -> ProjectSettings:
    """The settings for display: each provider secret that is set replaced by ``"(sealed)"``."""
    providers = {
        name: provider.model_copy(update={f: SHOWN_SEALED for f in SECRET_FIELDS if getattr(provider, f)})
        for name, provider in settings.oauth_providers.items()
    }
    return settings.model_copy(update={"oauth_providers": providers})
