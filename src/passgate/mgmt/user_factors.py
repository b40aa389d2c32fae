"""What management does to the factors a user holds: passkeys, authenticator apps,
recovery codes."""

from __future__ import annotations

from passgate.auth import factors, totp
from passgate.auth.context import AuthContext
from passgate.errors import ManagedUserNotFound
from passgate.mgmt.users import require_user
from passgate.models.passkeys import Credential
from passgate.models.projects import Project
from passgate.models.users import User
from passgate.storage import webauthn_store


async def remove_totp(ctx: AuthContext, project: Project, *, login_id: str | None, user_id: str | None = None) -> User:
    """Remove the user's authenticator app (``ManagedUserNotFound`` if there is no such user);
    the user's ``TOTP`` flag is then false."""
    async with ctx.db.transaction() as tx:
        user = await require_user(tx, project, login_id=login_id, user_id=user_id)
        return await totp.remove(tx, ctx, user)


async def remove_recovery_codes(ctx: AuthContext, project: Project, login_id_or_user_id: str) -> User:
    """Descope's recovery codes: passgate issues none, so there is nothing to remove; an
    unknown user is still ``ManagedUserNotFound``. The SDKs name the user by login ID or by
    user ID in the one field."""
    async with ctx.db.transaction() as tx:
        try:
            return await require_user(tx, project, login_id=login_id_or_user_id)
        except ManagedUserNotFound:
            return await require_user(tx, project, user_id=login_id_or_user_id)


async def list_passkeys(ctx: AuthContext, project: Project, login_id: str | None) -> list[Credential]:
    """The user's passkeys, oldest first (``ManagedUserNotFound`` if there is no such user)."""
    async with ctx.db.transaction(write=False) as tx:
        user = await require_user(tx, project, login_id=login_id)
        return await webauthn_store.credentials_of(tx, user.id)


async def remove_passkey(ctx: AuthContext, project: Project, login_id: str | None, credential_id: str) -> User:
    """Remove one passkey of the user (none by that ID: nothing changes); the user's
    ``webauthn`` flag follows whether any is left."""
    async with ctx.db.transaction() as tx:
        user = await require_user(tx, project, login_id=login_id)
        await webauthn_store.delete_credential(tx, user.id, credential_id)
        left = await webauthn_store.credentials_of(tx, user.id)
        return await factors.mark(tx, ctx, user, factors.WEBAUTHN, held=bool(left))


async def remove_passkeys(ctx: AuthContext, project: Project, login_id: str | None) -> User:
    """Remove every passkey of the user; its ``webauthn`` flag is then false."""
    async with ctx.db.transaction() as tx:
        user = await require_user(tx, project, login_id=login_id)
        await webauthn_store.delete_credentials_of(tx, user.id)
        return await factors.mark(tx, ctx, user, factors.WEBAUTHN, held=False)
