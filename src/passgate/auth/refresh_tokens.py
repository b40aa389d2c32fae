"""Presented refresh JWTs: verifying them, rotating them, and detecting theft.

A refresh JWT names its session row in ``sid`` and its generation in ``jti``. Only the
session's current generation is accepted, or its immediate parent for a short grace after
rotation; any other generation presented again means the token was copied, and the whole
session is revoked (reuse detection, RFC 9700 §4.14.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from passgate.auth import anonymous, audit
from passgate.auth.claims import REFRESH_DRN
from passgate.auth.context import AuthContext
from passgate.auth.minting import signed_refresh, tokens_for
from passgate.crypto import tokens
from passgate.errors import (
    AnonymousUserNotAllowed,
    InvalidRefreshToken,
    PassgateError,
    RevokedRefreshToken,
    UserDisabled,
)
from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord, SessionTokens
from passgate.models.users import User, UserStatus
from passgate.storage import sessions_store, users_store

log = structlog.get_logger("passgate.sessions")

# How long the immediate parent of the current refresh JWT stays acceptable. 5 s produced
# false alarms in the 1,000-pair test under load (the second request of a pair was served
# 5.3-5.5 s after the first rotated), so the window is 30 s: only the *immediate* parent
# is ever accepted, and only until its child is itself rotated.
REUSE_GRACE_SECONDS = 30


@dataclass(frozen=True)
class RefreshContext:
    """A verified, live refresh token and whom it belongs to."""

    claims: dict[str, Any]
    record: SessionRecord
    user: User


async def verified_claims(
    ctx: AuthContext, project: Project, token: str, invalid: type[PassgateError] = InvalidRefreshToken
) -> dict[str, Any]:
    """The claims of a JWT this project signed whose signature, ``iss``, ``aud``, ``exp`` and
    ``iat`` hold (any ``drn``); ``invalid`` otherwise."""
    try:
        kid = tokens.unverified_kid(token)
        key = await ctx.keyring.verifying_key(project, kid)
        return tokens.verify(token, lambda _kid: key, issuer=project.id, now=ctx.clock.now(), issued=ctx.issued_refresh)
    except tokens.TokenInvalid as exc:
        raise invalid(f"Invalid token: {exc}") from exc


async def authenticate_refresh(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> RefreshContext:
    """Check a refresh JWT fully: signature, ``drn``, expiry, revocation, user enabled, and that
    it is the session's current generation (or its parent within the grace window).

    A rotated-out refresh JWT presented again means it was copied: the whole session is
    revoked (reuse detection, RFC 9700 §4.14.2) and the event logged. An anonymous user's
    refresh JWT has no session: ``AnonymousUserNotAllowed``.
    """
    claims = await refresh_claims(ctx, project, refresh_jwt)
    if anonymous.is_anonymous(claims):
        raise AnonymousUserNotAllowed("An anonymous user has no user record or session to act on")
    return await session_of(ctx, project, claims)


async def refresh_claims(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> dict[str, Any]:
    """The claims of a refresh JWT (``drn: DSR``) whose signature, issuer, audience and
    times hold; ``InvalidRefreshToken`` otherwise. Nothing stored is checked yet."""
    if not refresh_jwt:
        raise InvalidRefreshToken("A refresh token is required (Authorization: Bearer <projectId>:<refreshJwt>)")
    claims = await verified_claims(ctx, project, refresh_jwt)
    if claims.get("drn") != REFRESH_DRN:
        raise InvalidRefreshToken("Not a refresh token")
    return claims


async def session_of(ctx: AuthContext, project: Project, claims: dict[str, Any]) -> RefreshContext:
    """The live session a verified refresh JWT's ``claims`` name (see ``authenticate_refresh``)."""
    if not isinstance(claims.get("jti"), str):
        raise InvalidRefreshToken("Not a refresh token")
    session_id = claims.get("sid") or claims["jti"]
    async with ctx.db.transaction(write=False) as tx:
        record = await sessions_store.get_session(tx, project.id, str(session_id))
        user = await users_store.find_by_id(tx, project.id, claims["sub"]) if record else None
    if record is None or user is None or record.user_id != user.id or record.revoked_at_ms is not None:
        raise RevokedRefreshToken()
    if claims["jti"] != record.live_jti and not _within_grace(ctx, record, claims["jti"]):
        await _revoke_reused(ctx, record, claims["jti"])
        raise RevokedRefreshToken("This refresh token was already used; the session has been revoked")
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    return RefreshContext(claims=claims, record=record, user=user)


def _within_grace(ctx: AuthContext, record: SessionRecord, jti: str) -> bool:
    """The immediate parent, shortly after rotation: two tabs or a retried request, not theft."""
    if jti != record.previous_jti or record.rotated_at_ms is None:
        return False
    return ctx.now_ms() - record.rotated_at_ms <= REUSE_GRACE_SECONDS * 1000


async def _revoke_reused(ctx: AuthContext, record: SessionRecord, presented_jti: str) -> None:
    now_ms = ctx.now_ms()
    async with ctx.db.transaction() as tx:
        await sessions_store.revoke(tx, record.id, now_ms)
    await audit.record(
        ctx, record.project_id, "session.reuse_detected", error=RevokedRefreshToken(), user_id=record.user_id
    )
    log.warning(
        "refresh token reuse detected; session revoked",
        project_id=record.project_id,
        user_id=record.user_id,
        session_id=record.id,
        presented_generation=presented_jti,
        current_generation=record.live_jti,
        parent_generation=record.previous_jti,
        ms_since_rotation=now_ms - record.rotated_at_ms if record.rotated_at_ms else None,
    )


async def reissue(
    ctx: AuthContext,
    project: Project,
    current: RefreshContext,
    presented_jwt: str,
    changes: dict[str, Any] | None = None,
) -> SessionTokens:
    """A new session JWT for an authenticated session, and the refresh JWT to use from now on.

    ``changes`` are claims to set on the refresh JWT (a selected tenant, custom claims);
    they reach every later session JWT. The refresh JWT is the next generation when
    rotation is on; with rotation off it is the presented one, or, when ``changes`` alter
    it, a re-signed copy of the same generation.
    """
    if not changes and not project.settings.refresh_rotation:
        return await tokens_for(ctx, project, current.user, current.claims, presented_jwt, first_seen=False)
    claims, refresh_jwt = await next_refresh(ctx, project, current, changes or {})
    return await tokens_for(ctx, project, current.user, claims, refresh_jwt, first_seen=False)


async def next_refresh(
    ctx: AuthContext, project: Project, current: RefreshContext, changes: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The claims and signed refresh JWT that replace the authenticated one, with ``changes``
    applied: a new generation of the same session record when rotation is on."""
    rotation = project.settings.refresh_rotation
    jti = await _rotated_jti(ctx, project, current) if rotation else current.claims["jti"]
    key = await ctx.keyring.signing_key(project)
    claims = {**current.claims, **changes, "jti": jti, "sid": current.record.id, "iat": int(ctx.clock.now())}
    return claims, signed_refresh(ctx, claims, key)


async def _rotated_jti(ctx: AuthContext, project: Project, current: RefreshContext) -> str:
    presented, record = current.claims["jti"], current.record
    if presented != record.live_jti:
        return record.live_jti  # the parent within grace: hand out the current generation
    new_jti = new_opaque_id()
    async with ctx.db.transaction() as tx:
        if await sessions_store.rotate(tx, record.id, presented, new_jti, ctx.now_ms()):
            return new_jti
        latest = await sessions_store.get_session(tx, project.id, record.id)
    if latest is None or latest.revoked_at_ms is not None or not _within_grace(ctx, latest, presented):
        raise RevokedRefreshToken()
    return latest.live_jti
