"""What a signed-in user does with a session's refresh JWT: refresh (or try it), logout,
logout-all, me and history; and validating a session JWT.

The session's JWTs are made in ``auth/minting.py`` (claims in ``auth/claims.py``); a
presented refresh JWT is verified, rotated and checked for reuse in
``auth/refresh_tokens.py``.
"""

from __future__ import annotations

from typing import Any

from passgate.auth import anonymous
from passgate.auth.claims import SESSION_DRN
from passgate.auth.context import AuthContext
from passgate.auth.refresh_tokens import authenticate_refresh, refresh_claims, reissue, session_of, verified_claims
from passgate.errors import InvalidRefreshToken, InvalidSessionJwt, RevokedRefreshToken, UserDisabled
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


async def try_refresh(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> SessionTokens | None:
    """``refresh``, or ``None`` when there is no live session to refresh: no refresh JWT, or
    one malformed, expired, revoked, reused or of a disabled user. A page asking on load
    whether anyone is signed in is not making a mistake when nobody is."""
    if not refresh_jwt:
        return None
    try:
        return await refresh(ctx, project, refresh_jwt)
    except (InvalidRefreshToken, RevokedRefreshToken, UserDisabled):
        return None


async def validate(ctx: AuthContext, project: Project, session_jwt: str | None) -> dict[str, Any]:
    """The claims of a session JWT this project signed, checked as the SDKs check it
    locally (signature, ``iss``, ``aud``, ``exp``, ``iat``) and of type ``DS``; session JWTs
    are stateless, so nothing is read. ``InvalidSessionJwt`` otherwise."""
    if not session_jwt:
        raise InvalidSessionJwt("A session token is required (Authorization: Bearer <projectId>:<sessionJwt>)")
    claims = await verified_claims(ctx, project, session_jwt, invalid=InvalidSessionJwt)
    if claims.get("drn") != SESSION_DRN:
        raise InvalidSessionJwt("Not a session token")
    return claims


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
