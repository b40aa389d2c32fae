"""What a signed-in user does with a session's refresh JWT: refresh, logout, logout-all,
me and history.

The session's JWTs are made in ``auth/minting.py`` (claims in ``auth/claims.py``); a
presented refresh JWT is verified, rotated and checked for reuse in
``auth/refresh_tokens.py``.
"""

from __future__ import annotations

from passgate.auth import anonymous
from passgate.auth.context import AuthContext
from passgate.auth.refresh_tokens import authenticate_refresh, refresh_claims, reissue, session_of
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord, SessionTokens
from passgate.models.users import User
from passgate.storage import sessions_store


async def refresh(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> SessionTokens:
    """A new session JWT from a live refresh JWT, and (with rotation on) a new refresh JWT.

    Rotation is one guarded ``UPDATE``: of two requests presenting the same token, one
    rotates and the other, finding its token now the parent within the grace window,
    receives a refresh JWT of the same new generation. An anonymous user's refresh JWT,
    which no session records, refreshes on its signature and expiry (``auth/anonymous.py``).
    """
    claims = await refresh_claims(ctx, project, refresh_jwt)
    assert refresh_jwt is not None
    if anonymous.is_anonymous(claims):
        return await anonymous.refresh(ctx, project, claims, refresh_jwt)
    return await reissue(ctx, project, await session_of(ctx, project, claims), refresh_jwt)


async def logout(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> None:
    """Revoke this refresh token."""
    current = await authenticate_refresh(ctx, project, refresh_jwt)
    async with ctx.db.transaction() as tx:
        await sessions_store.revoke(tx, current.record.id, ctx.now_ms())


async def logout_all(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> None:
    """Revoke every refresh token of the user."""
    current = await authenticate_refresh(ctx, project, refresh_jwt)
    async with ctx.db.transaction() as tx:
        await sessions_store.revoke_all_of_user(tx, current.user.id, ctx.now_ms())


async def me(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> User:
    """The signed-in user."""
    return (await authenticate_refresh(ctx, project, refresh_jwt)).user


async def history(ctx: AuthContext, project: Project, refresh_jwt: str | None, limit: int = 100) -> list[SessionRecord]:
    """The signed-in user's sign-ins, newest first."""
    current = await authenticate_refresh(ctx, project, refresh_jwt)
    async with ctx.db.transaction(write=False) as tx:
        return await sessions_store.history(tx, current.user.id, limit)
