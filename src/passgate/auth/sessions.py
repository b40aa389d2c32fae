"""Sessions: a refresh JWT (``drn=DSR``, tracked by ``jti`` so it can be revoked) and
short-lived session JWTs (``drn=DS``, stateless) minted from it.

Claims follow the Descope contract (§3.3): ``iss`` and ``aud`` are the project ID,
``amr`` lists the factors, client-supplied custom claims live under ``nsec``,
management-supplied ones at the top level. Whatever the refresh JWT carries (custom claims,
the selected tenant ``dct``, the impersonator ``act``) is copied into every session JWT
minted from it and into the next generation, so it survives refresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from passgate.auth import audit
from passgate.auth.context import AuthContext, Caller
from passgate.crypto import tokens
from passgate.crypto.keys import SigningKey
from passgate.errors import InvalidArgument, InvalidRefreshToken, PassgateError, RevokedRefreshToken, UserDisabled
from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord, SessionTokens
from passgate.models.users import User, UserStatus
from passgate.storage import sessions_store, users_store
from passgate.storage.database import Transaction

log = structlog.get_logger("passgate.sessions")

SESSION_DRN = "DS"
REFRESH_DRN = "DSR"
_REFRESH_ONLY = frozenset({"jti", "sid"})
# How long the immediate parent of the current refresh JWT stays acceptable. 5 s produced
# false alarms in the 1,000-pair test under load (the second request of a pair was served
# 5.3-5.5 s after the first rotated), so the window is 30 s: only the *immediate* parent
# is ever accepted, and only until its child is itself rotated.
REUSE_GRACE_SECONDS = 30
# Claims passgate owns; custom claims may not shadow them.
RESERVED_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "aud",
        "iat",
        "exp",
        "nbf",
        "jti",
        "sid",
        "drn",
        "amr",
        "roles",
        "permissions",
        "tenants",
        "rexp",
        "dct",
        "tu",
        "su",
        "nsec",
        "dsub",
        "act",
        "danu",
    }
)
SELECTED_TENANT = "dct"
ACTOR = "act"  # RFC 8693 actor claim: {"sub": "<impersonator's user ID>"}
ANONYMOUS = "danu"  # Descope's marker of an anonymous user's JWTs
# Descope's limits on custom claims (contract §3.3).
MAX_CUSTOM_CLAIMS, MAX_CLAIM_NAME, MAX_CLAIM_VALUE = 100, 60, 500


def custom_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """``claims`` without any that passgate itself sets."""
    return {name: value for name, value in claims.items() if name not in RESERVED_CLAIMS}


def checked_custom_claims(claims: dict[str, Any] | None) -> dict[str, Any]:
    """Management-supplied custom claims within Descope's limits (``InvalidArgument`` beyond
    them), without the reserved ones, which are dropped silently as Descope does."""
    claims = claims or {}
    if len(claims) > MAX_CUSTOM_CLAIMS:
        raise InvalidArgument(f"At most {MAX_CUSTOM_CLAIMS} custom claims are allowed")
    for name, value in claims.items():
        if len(name) > MAX_CLAIM_NAME:
            raise InvalidArgument(f"Custom claim names are at most {MAX_CLAIM_NAME} characters")
        if len(value if isinstance(value, str) else json.dumps(value)) > MAX_CLAIM_VALUE:
            raise InvalidArgument(f"Custom claim {name!r} is longer than {MAX_CLAIM_VALUE} characters")
    return custom_claims(claims)


def combined_amr(prior_amr: list[str], factor: str) -> list[str]:
    """The ``amr`` of a multi-factor sign-in: the earlier factors and ``factor``, plus ``mfa``
    once there are at least two distinct factors."""
    factors = list(dict.fromkeys([*(value for value in prior_amr if value != "mfa"), factor]))
    return [*factors, "mfa"] if len(factors) > 1 else factors


def refresh_lifetime(project: Project, requested_seconds: int) -> int:
    """Seconds a new refresh JWT lives: ``requested_seconds`` (0 = the project's refresh TTL),
    never beyond the project's refresh TTL."""
    ttl = project.settings.refresh_ttl_seconds
    return min(requested_seconds, ttl) if requested_seconds > 0 else ttl


@dataclass(frozen=True)
class Grant:
    """What an authentication earned, before tokens are signed."""

    user: User
    amr: list[str]
    first_seen: bool = False
    stepup: bool = False
    nsec: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)  # management-supplied, top level
    # Reserved claims passgate itself puts on the refresh JWT (``dct``, ``act``, ``danu``,
    # a lasting ``su``); never taken from a request as they stand.
    system: dict[str, Any] = field(default_factory=dict)
    refresh_seconds: int = 0  # refresh lifetime asked for; 0 = the project's


@dataclass(frozen=True)
class OpenedSession:
    grant: Grant
    record: SessionRecord


@dataclass(frozen=True)
class RefreshContext:
    """A verified, live refresh token and whom it belongs to."""

    claims: dict[str, Any]
    record: SessionRecord
    user: User


async def open_session(
    tx: Transaction, ctx: AuthContext, project: Project, grant: Grant, caller: Caller
) -> OpenedSession:
    """Record a new refresh session in the caller's transaction (signing happens after commit)."""
    now_ms = ctx.now_ms()
    record = SessionRecord(
        id=new_opaque_id(),
        project_id=project.id,
        user_id=grant.user.id,
        amr=grant.amr,
        ip=caller.ip,
        created_at_ms=now_ms,
        expires_at_ms=now_ms + refresh_lifetime(project, grant.refresh_seconds) * 1000,
        revoked_at_ms=None,
        current_jti=new_opaque_id(),
    )
    await sessions_store.insert_session(tx, record, caller.user_agent)
    return OpenedSession(grant=grant, record=record)


async def mint(ctx: AuthContext, project: Project, opened: OpenedSession) -> SessionTokens:
    """Sign the refresh JWT and a first session JWT for an opened session."""
    grant, record = opened.grant, opened.record
    refresh_claims = _refresh_claims(ctx, project, grant, record.expires_at_ms // 1000)
    refresh_claims["sid"] = record.id
    refresh_claims["jti"] = record.live_jti
    return await _signed(ctx, project, grant, refresh_claims)


async def mint_unrecorded(ctx: AuthContext, project: Project, grant: Grant) -> SessionTokens:
    """Tokens for a grant with no session record: an anonymous user, who has no user row a
    session could belong to. Its refresh JWT has no ``jti``, so ``/refresh`` refuses it."""
    exp = int(ctx.clock.now()) + refresh_lifetime(project, grant.refresh_seconds)
    return await _signed(ctx, project, grant, _refresh_claims(ctx, project, grant, exp))


def _refresh_claims(ctx: AuthContext, project: Project, grant: Grant, refresh_exp: int) -> dict[str, Any]:
    iat = int(ctx.clock.now())
    claims = {
        **custom_claims(grant.claims),
        **grant.system,
        **_base_claims(project, grant.user, grant.amr, iat, refresh_exp, REFRESH_DRN),
    }
    if grant.nsec:
        claims["nsec"] = grant.nsec
    return claims


async def _signed(ctx: AuthContext, project: Project, grant: Grant, refresh_claims: dict[str, Any]) -> SessionTokens:
    refresh_jwt = _signed_refresh(ctx, refresh_claims, await ctx.keyring.signing_key(project))
    # Step-up marks only this first session JWT: a refresh must not extend it.
    session_only = {"su": True} if grant.stepup else {}
    return await _tokens_for(
        ctx, project, grant.user, refresh_claims, refresh_jwt, first_seen=grant.first_seen, session_only=session_only
    )


async def _tokens_for(
    ctx: AuthContext,
    project: Project,
    user: User,
    refresh_claims: dict[str, Any],
    refresh_jwt: str,
    *,
    first_seen: bool,
    session_only: dict[str, Any] | None = None,
) -> SessionTokens:
    key = await ctx.keyring.signing_key(project)
    iat = int(ctx.clock.now())
    refresh_exp = int(refresh_claims["exp"])
    session_exp = min(iat + project.settings.session_ttl_seconds, refresh_exp)
    carried = {name: value for name, value in refresh_claims.items() if name not in _REFRESH_ONLY}
    claims = {
        **carried,
        **_base_claims(project, user, list(refresh_claims.get("amr", [])), iat, session_exp, SESSION_DRN),
    }
    claims.update(user.authz.claims())  # loaded with the user: fresh on every refresh
    claims.update(session_only or {})
    claims["rexp"] = datetime.fromtimestamp(refresh_exp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SessionTokens(
        session_jwt=tokens.sign(claims, key),
        refresh_jwt=refresh_jwt,
        session_expires_at=session_exp,
        refresh_expires_at=refresh_exp,
        refresh_max_age=max(refresh_exp - iat, 0),
        user=user,
        first_seen=first_seen,
    )


def registered_claims(project: Project, subject: str, iat: int, exp: int, drn: str) -> dict[str, Any]:
    """The claims every passgate JWT carries (contract §3.3): ``sub``, ``iss`` and ``aud``
    (the project ID), ``iat``, ``exp`` and the token type ``drn``."""
    return {"sub": subject, "iss": project.id, "aud": [project.id], "iat": iat, "exp": exp, "drn": drn}


def _base_claims(project: Project, user: User, amr: list[str], iat: int, exp: int, drn: str) -> dict[str, Any]:
    claims = {**registered_claims(project, user.id, iat, exp, drn), "amr": amr}
    if user.test:
        claims["tu"] = True
    return claims


async def authenticate_refresh(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> RefreshContext:
    """Check a refresh JWT fully: signature, ``drn``, expiry, revocation, user enabled, and that
    it is the session's current generation (or its parent within the grace window).

    A rotated-out refresh JWT presented again means it was copied: the whole session is
    revoked (reuse detection, RFC 9700 §4.14.2) and the event logged.
    """
    if not refresh_jwt:
        raise InvalidRefreshToken("A refresh token is required (Authorization: Bearer <projectId>:<refreshJwt>)")
    claims = await verified_claims(ctx, project, refresh_jwt)
    if claims.get("drn") == REFRESH_DRN and claims.get(ANONYMOUS):
        raise InvalidRefreshToken("An anonymous user's refresh token cannot be used here; request a new one")
    if claims.get("drn") != REFRESH_DRN or not isinstance(claims.get("jti"), str):
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


async def refresh(ctx: AuthContext, project: Project, refresh_jwt: str | None) -> SessionTokens:
    """A new session JWT from a live refresh JWT, and (with rotation on) a new refresh JWT.

    Rotation is one guarded ``UPDATE``: of two requests presenting the same token, one
    rotates and the other, finding its token now the parent within the grace window,
    receives a refresh JWT of the same new generation.
    """
    current = await authenticate_refresh(ctx, project, refresh_jwt)
    assert refresh_jwt is not None
    return await reissue(ctx, project, current, refresh_jwt)


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
        return await _tokens_for(ctx, project, current.user, current.claims, presented_jwt, first_seen=False)
    claims, refresh_jwt = await next_refresh(ctx, project, current, changes or {})
    return await _tokens_for(ctx, project, current.user, claims, refresh_jwt, first_seen=False)


async def next_refresh(
    ctx: AuthContext, project: Project, current: RefreshContext, changes: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The claims and signed refresh JWT that replace the authenticated one, with ``changes``
    applied: a new generation of the same session record when rotation is on."""
    rotation = project.settings.refresh_rotation
    jti = await _rotated_jti(ctx, project, current) if rotation else current.claims["jti"]
    key = await ctx.keyring.signing_key(project)
    claims = {**current.claims, **changes, "jti": jti, "sid": current.record.id, "iat": int(ctx.clock.now())}
    return claims, _signed_refresh(ctx, claims, key)


def _signed_refresh(ctx: AuthContext, claims: dict[str, Any], key: SigningKey) -> str:
    """A signed refresh JWT, remembered so that presenting it back skips the signature check."""
    refresh_jwt = tokens.sign(claims, key)
    ctx.issued_refresh.remember(refresh_jwt)
    return refresh_jwt


async def updated_session_jwt(
    ctx: AuthContext, project: Project, claims: dict[str, Any], user: User | None, changes: dict[str, Any]
) -> str:
    """A session JWT like the one whose ``claims`` are given, with ``changes`` applied, a fresh
    lifetime and the user's current ``roles``/``permissions``/``tenants`` (``user`` is
    ``None`` for an anonymous user, who has none)."""
    iat = int(ctx.clock.now())
    updated = {**claims, **changes, "iat": iat, "exp": iat + project.settings.session_ttl_seconds}
    if user is not None:
        updated.update(user.authz.claims())
    return tokens.sign(updated, await ctx.keyring.signing_key(project))


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
