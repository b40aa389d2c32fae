"""Making a session's JWTs: recording a new refresh session, then signing its refresh JWT
(``drn=DSR``, tracked by ``sid`` and ``jti`` so it can be revoked) and the short-lived
session JWTs (``drn=DS``, stateless) minted from it.

Whatever the refresh JWT carries (custom claims, the selected tenant ``dct``, the
impersonator ``act``) is copied into every session JWT minted from it and into the next
generation (``auth/refresh_tokens.py``), so it survives refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from passgate.auth.claims import REFRESH_DRN, SESSION_DRN, base_claims, custom_claims
from passgate.auth.context import AuthContext, Caller
from passgate.crypto import tokens
from passgate.crypto.keys import SigningKey
from passgate.errors import SSORequired
from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord, SessionTokens
from passgate.models.users import User
from passgate.storage import sessions_store, tenants_store
from passgate.storage.database import Transaction

_REFRESH_ONLY = frozenset({"jti", "sid"})
FED = "fed"  # the amr of an SSO sign-in: the one method a tenant's enforce_sso allows


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


async def open_session(
    tx: Transaction, ctx: AuthContext, project: Project, grant: Grant, caller: Caller
) -> OpenedSession:
    """Record a new refresh session in the caller's transaction (signing happens after commit);
    ``SSORequired`` when a tenant of the user enforces SSO and this sign-in is not by SSO."""
    if grant.user.authz.tenants and FED not in grant.amr:
        await _refuse_unless_sso_allowed(tx, project, grant.user)
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


async def _refuse_unless_sso_allowed(tx: Transaction, project: Project, user: User) -> None:
    tenant_ids = [tenant.tenant_id for tenant in user.authz.tenants]
    for tenant in await tenants_store.list_tenants(tx, project.id, ids=tenant_ids):
        excluded = {user.id, *user.login_ids} & set(tenant.settings.enforce_sso_exclusions)
        if tenant.enforce_sso and not excluded:
            raise SSORequired(f"Tenant {tenant.id} requires its members to sign in by SSO")


async def mint(ctx: AuthContext, project: Project, opened: OpenedSession) -> SessionTokens:
    """Sign the refresh JWT and a first session JWT for an opened session."""
    grant, record = opened.grant, opened.record
    # iat from the record too: read from the clock after the commit, a second could have
    # turned since the record's expiry was set, and the lifetime came out a second short.
    refresh_claims = _refresh_claims(
        ctx, project, grant, record.expires_at_ms // 1000, iat=record.created_at_ms // 1000
    )
    refresh_claims["sid"] = record.id
    refresh_claims["jti"] = record.live_jti
    return await _signed(ctx, project, grant, refresh_claims)


async def mint_unrecorded(ctx: AuthContext, project: Project, grant: Grant) -> SessionTokens:
    """Tokens for a grant with no session record: an anonymous user, who has no user row a
    session could belong to. Its refresh JWT has no ``jti``, so ``/refresh`` refuses it."""
    exp = int(ctx.clock.now()) + refresh_lifetime(project, grant.refresh_seconds)
    return await _signed(ctx, project, grant, _refresh_claims(ctx, project, grant, exp))


def _refresh_claims(
    ctx: AuthContext, project: Project, grant: Grant, refresh_exp: int, *, iat: int | None = None
) -> dict[str, Any]:
    iat = int(ctx.clock.now()) if iat is None else iat
    claims = {
        **custom_claims(grant.claims),
        **grant.system,
        **base_claims(project, grant.user, grant.amr, iat, refresh_exp, REFRESH_DRN),
    }
    if grant.nsec:
        claims["nsec"] = grant.nsec
    return claims


async def _signed(ctx: AuthContext, project: Project, grant: Grant, refresh_claims: dict[str, Any]) -> SessionTokens:
    refresh_jwt = signed_refresh(ctx, refresh_claims, await ctx.keyring.signing_key(project))
    # Step-up marks only this first session JWT: a refresh must not extend it.
    session_only = {"su": True} if grant.stepup else {}
    return await tokens_for(
        ctx, project, grant.user, refresh_claims, refresh_jwt, first_seen=grant.first_seen, session_only=session_only
    )


async def tokens_for(
    ctx: AuthContext,
    project: Project,
    user: User,
    refresh_claims: dict[str, Any],
    refresh_jwt: str,
    *,
    first_seen: bool,
    session_only: dict[str, Any] | None = None,
) -> SessionTokens:
    """A new session JWT minted from the refresh JWT whose claims are given, with both JWTs."""
    key = await ctx.keyring.signing_key(project)
    iat = int(ctx.clock.now())
    refresh_exp = int(refresh_claims["exp"])
    session_exp = min(iat + project.settings.session_ttl_seconds, refresh_exp)
    carried = {name: value for name, value in refresh_claims.items() if name not in _REFRESH_ONLY}
    claims = {
        **carried,
        **base_claims(project, user, list(refresh_claims.get("amr", [])), iat, session_exp, SESSION_DRN),
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
        session_claims=claims,
    )


def signed_refresh(ctx: AuthContext, claims: dict[str, Any], key: SigningKey) -> str:
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
