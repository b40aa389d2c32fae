"""A user's tokens at a social login provider, for the management API (``get_provider_token``):
kept only when the provider's ``store_tokens`` is on, sealed with the user's identity."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.addresses import normalize_login_id
from passgate.auth import oauth_secrets
from passgate.auth.context import AuthContext
from passgate.errors import ManagedUserNotFound, NotFound
from passgate.models.projects import Project
from passgate.storage import identities_store, users_store


@dataclass(frozen=True)
class ProviderToken:
    provider: str
    provider_user_id: str
    access_token: str
    expiration: int  # unix s, 0 when the provider did not say
    scopes: tuple[str, ...]
    refresh_token: str = ""


async def provider_token(
    ctx: AuthContext, project: Project, login_id: str, provider: str, *, with_refresh_token: bool
) -> ProviderToken:
    """The provider's last tokens for the user; ``ManagedUserNotFound`` for an unknown login
    ID, ``NotFound`` when the user has no identity there or its tokens are not kept."""
    async with ctx.db.transaction(write=False) as tx:
        user = await users_store.find_by_login_id(tx, project.id, normalize_login_id(login_id))
        if user is None:
            raise ManagedUserNotFound()
        identity = await identities_store.find_of_user(tx, user.id, provider)
    if identity is None or not identity.tokens:
        raise NotFound(f"No {provider[:40]} tokens are kept for this user (the provider's store_tokens is off)")
    tokens = oauth_secrets.opened_tokens(ctx.secrets, project.id, provider, identity.tokens)
    scope = tokens.get("scope")
    return ProviderToken(
        provider=provider,
        provider_user_id=identity.subject,
        access_token=str(tokens.get("access_token", "")),
        expiration=int(tokens.get("expires_at") or 0),
        scopes=tuple(str(scope).replace(",", " ").split()) if scope else (),
        refresh_token=str(tokens.get("refresh_token", "")) if with_refresh_token else "",
    )
