"""What management does to the factors a user holds: authenticator apps, recovery codes."""

from __future__ import annotations

from passgate.auth import totp
from passgate.auth.context import AuthContext
from passgate.errors import ManagedUserNotFound
from passgate.mgmt.users import require_user
from passgate.models.projects import Project
from passgate.models.users import User


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
