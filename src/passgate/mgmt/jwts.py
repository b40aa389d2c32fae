"""Management JWT calls (contract §5.6): update a JWT's claims, impersonate a user and stop,
and sign a user in or up, or an anonymous user, without any challenge.

No factor is presented in these calls: the management key vouches for the user, so their
sessions have ``amr: ["mgmt"]`` (anonymous users: ``amr: []``). Custom claims go to the top
level of the refresh JWT and so into every session JWT minted from it. ``refresh_seconds``
sets the refresh lifetime (0 = the project's), never beyond the project's refresh TTL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from passgate.auth import accounts, intents, minting, refresh_tokens
from passgate.auth.anonymous import anonymous_user
from passgate.auth.claims import (
    ACTOR,
    ANONYMOUS,
    REFRESH_DRN,
    SELECTED_TENANT,
    SESSION_DRN,
    checked_custom_claims,
    combined_amr,
)
from passgate.auth.context import AuthContext, Caller
from passgate.errors import (
    ImpersonationNotAllowed,
    InvalidSessionToken,
    MissingArgument,
    NotATenantMember,
    TenantNotFound,
    UserAlreadyExists,
    UserDisabled,
)
from passgate.identifiers import new_user_id
from passgate.mgmt import users
from passgate.models.projects import Project
from passgate.models.sessions import SessionTokens
from passgate.models.users import User, UserStatus
from passgate.storage import sessions_store, tenants_store, users_store
from passgate.storage.database import Transaction

MANAGEMENT_AMR = "mgmt"
IMPERSONATION_PERMISSION = "impersonation"


@dataclass(frozen=True)
class TokenOptions:
    """What the caller asks of the tokens a management call issues."""

    claims: dict[str, Any] = field(default_factory=dict)
    tenant: str = ""  # selected tenant (``dct``); the user must belong to it
    refresh_seconds: int = 0


@dataclass(frozen=True)
class ManagedSignIn:
    login_id: str
    stepup: bool = False
    mfa: bool = False
    revoke_other_sessions: bool = False
    jwt: str = ""  # the refresh JWT that step-up or MFA builds on
    options: TokenOptions = field(default_factory=TokenOptions)


@dataclass(frozen=True)
class ManagedSignUp:
    login_id: str
    fields: users.UserFields = field(default_factory=users.UserFields)
    options: TokenOptions = field(default_factory=TokenOptions)


@dataclass(frozen=True)
class Impersonation:
    login_id: str
    impersonator: str  # user ID or login ID
    validate_consent: bool = False
    stepup: bool = False
    options: TokenOptions = field(default_factory=TokenOptions)


# --- update ------------------------------------------------------------------------------------
async def update_jwt(ctx: AuthContext, project: Project, jwt: str, claims: dict[str, Any], refresh_seconds: int) -> str:
    """A fresh JWT of the same kind as ``jwt`` (a session or refresh JWT of this project) with
    ``claims`` merged in at the top level (reserved claims are dropped).

    A session JWT gets a new lifetime and the user's current roles, permissions and tenants.
    A refresh JWT must be live; it is replaced by the session's next generation, and
    ``refresh_seconds`` > 0 resets its expiry (0 keeps it).
    """
    changes = checked_custom_claims(claims)
    if not jwt:
        raise MissingArgument("Missing field: jwt")
    found = await refresh_tokens.verified_claims(ctx, project, jwt, InvalidSessionToken)
    if found.get("drn") == REFRESH_DRN:
        return await _updated_refresh_jwt(ctx, project, jwt, changes, refresh_seconds)
    if found.get("drn") != SESSION_DRN:
        raise InvalidSessionToken("Not a session or refresh JWT")
    user = None if found.get(ANONYMOUS) else await _enabled_user(ctx, project, str(found["sub"]))
    return await minting.updated_session_jwt(ctx, project, found, user, changes)


async def _updated_refresh_jwt(
    ctx: AuthContext, project: Project, jwt: str, changes: dict[str, Any], refresh_seconds: int
) -> str:
    current = await refresh_tokens.authenticate_refresh(ctx, project, jwt)
    if refresh_seconds > 0:
        changes = {**changes, "exp": int(ctx.clock.now()) + minting.refresh_lifetime(project, refresh_seconds)}
    _, refreshed = await refresh_tokens.next_refresh(ctx, project, current, changes)
    return refreshed


async def _enabled_user(ctx: AuthContext, project: Project, user_id: str) -> User:
    return _enabled(await users.load_user(ctx, project, user_id=user_id))


def _enabled(user: User) -> User:
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    return user


# --- sign-in, sign-up, anonymous ---------------------------------------------------------------
async def sign_in(ctx: AuthContext, project: Project, request: ManagedSignIn, caller: Caller) -> SessionTokens:
    """Tokens for an existing, enabled user (an invited one becomes enabled).

    ``stepup`` marks the first session JWT ``su``; ``mfa`` adds to the factors of the
    session ``jwt`` names (required for either, and of the same user).
    ``revoke_other_sessions`` ends the user's other sessions.
    """
    claims = checked_custom_claims(request.options.claims)
    prior = await _prior_session(ctx, project, request)
    async with ctx.db.transaction() as tx:
        intent = await intents.for_existing_user(tx, project, request.login_id)
        assert intent.user is not None
        user = await accounts.confirm_sign_in(tx, intent.user, intent.method, "", ctx.clock.now())
        if prior is not None and prior.user.id != user.id:
            raise InvalidSessionToken("The jwt belongs to another user")
        if request.revoke_other_sessions:
            await sessions_store.revoke_all_of_user(tx, user.id, ctx.now_ms())
        amr = combined_amr(prior.record.amr, MANAGEMENT_AMR) if prior and request.mfa else [MANAGEMENT_AMR]
        system = _tenant_claim(user, request.options.tenant)
        grant = _grant(user, amr, request.options, claims, system, stepup=request.stepup)
        opened = await minting.open_session(tx, ctx, project, grant, caller)
    return await minting.mint(ctx, project, opened)


async def _prior_session(
    ctx: AuthContext, project: Project, request: ManagedSignIn
) -> refresh_tokens.RefreshContext | None:
    if not (request.stepup or request.mfa):
        return None
    if not request.jwt:
        raise MissingArgument("A jwt is required for stepup or mfa")
    return await refresh_tokens.authenticate_refresh(ctx, project, request.jwt)


async def sign_up(
    ctx: AuthContext, project: Project, request: ManagedSignUp, caller: Caller, *, or_in: bool = False
) -> SessionTokens:
    """Create the user and sign it in (``firstSeen``). A taken login ID is ``UserAlreadyExists``,
    or, with ``or_in``, a management sign-in of that user."""
    claims = checked_custom_claims(request.options.claims)
    try:
        user = await users.create_user(ctx, project, users.NewUser(login_id=request.login_id, fields=request.fields))
    except UserAlreadyExists:
        if not or_in:
            raise
        return await sign_in(ctx, project, ManagedSignIn(login_id=request.login_id, options=request.options), caller)
    async with ctx.db.transaction() as tx:
        system = _tenant_claim(user, request.options.tenant)
        grant = _grant(user, [MANAGEMENT_AMR], request.options, claims, system, first_seen=True)
        opened = await minting.open_session(tx, ctx, project, grant, caller)
    return await minting.mint(ctx, project, opened)


async def anonymous(ctx: AuthContext, project: Project, options: TokenOptions) -> SessionTokens:
    """Tokens for an anonymous user: a fresh ``sub``, ``danu: true``, no user row and no
    session record (a session must belong to a stored user), so the refresh JWT refreshes
    on its signature and expiry alone and cannot be revoked (``auth/anonymous.py``)."""
    claims = checked_custom_claims(options.claims)
    if options.tenant:
        async with ctx.db.transaction(write=False) as tx:
            if await tenants_store.get_tenant(tx, project.id, options.tenant) is None:
                raise TenantNotFound()
    user = anonymous_user(project.id, new_user_id(), ctx.clock.now())
    system: dict[str, Any] = {ANONYMOUS: True}
    if options.tenant:
        system[SELECTED_TENANT] = options.tenant
    return await minting.mint_unrecorded(ctx, project, _grant(user, [], options, claims, system))


# --- impersonation -----------------------------------------------------------------------------
async def impersonate(ctx: AuthContext, project: Project, request: Impersonation, caller: Caller) -> str:
    """A refresh JWT of the user ``login_id`` whose JWTs carry ``act: {sub: <impersonator>}``.

    The impersonator (a user ID or login ID) needs the ``impersonation`` permission at
    project level or, with a selected tenant, in that tenant. Consent is not tracked, so
    ``validate_consent`` is refused. ``stepup`` marks every session of this refresh JWT
    ``su`` (it is the only token handed out).
    """
    if request.validate_consent:
        raise ImpersonationNotAllowed("User consent to impersonation is not tracked, so it cannot be validated")
    claims = checked_custom_claims(request.options.claims)
    async with ctx.db.transaction() as tx:
        actor = await _impersonator(tx, project, request.impersonator)
        _require_impersonation_permission(actor, request.options.tenant)
        target = (await intents.for_existing_user(tx, project, request.login_id)).user
        assert target is not None
        system = {ACTOR: {"sub": actor.id}, **_tenant_claim(target, request.options.tenant)}
        if request.stepup:
            system["su"] = True
        grant = _grant(target, [MANAGEMENT_AMR], request.options, claims, system)
        opened = await minting.open_session(tx, ctx, project, grant, caller)
    return (await minting.mint(ctx, project, opened)).refresh_jwt


async def stop_impersonation(
    ctx: AuthContext, project: Project, jwt: str, options: TokenOptions, caller: Caller
) -> str:
    """A refresh JWT of the impersonator named by ``jwt``'s ``act`` claim (a session or refresh
    JWT of this project); an impersonation refresh JWT's session is revoked."""
    claims = checked_custom_claims(options.claims)
    if not jwt:
        raise MissingArgument("Missing field: jwt")
    found = await refresh_tokens.verified_claims(ctx, project, jwt, InvalidSessionToken)
    actor_claim = found.get(ACTOR)
    actor_id = actor_claim.get("sub") if isinstance(actor_claim, dict) else None
    if not isinstance(actor_id, str) or not actor_id:
        raise InvalidSessionToken("Not an impersonation JWT")
    async with ctx.db.transaction() as tx:
        await _end_impersonated_session(tx, ctx, project, found)
        actor = _enabled(await users.require_user(tx, project, user_id=actor_id))
        grant = _grant(actor, [MANAGEMENT_AMR], options, claims, _tenant_claim(actor, options.tenant))
        opened = await minting.open_session(tx, ctx, project, grant, caller)
    return (await minting.mint(ctx, project, opened)).refresh_jwt


async def _impersonator(tx: Transaction, project: Project, reference: str) -> User:
    """The impersonator by user ID, else by login ID (the SDK documents both)."""
    by_id = await users_store.find_by_id(tx, project.id, reference) if reference else None
    return by_id or await users.require_user(tx, project, login_id=reference)


def _require_impersonation_permission(actor: User, tenant_id: str) -> None:
    if actor.status is UserStatus.DISABLED:
        raise ImpersonationNotAllowed("The impersonator is disabled")
    granted = set(actor.authz.permissions)
    access = actor.authz.tenant(tenant_id) if tenant_id else None
    if access is not None:
        granted.update(access.permissions)
    if IMPERSONATION_PERMISSION not in granted:
        where = f"in tenant {tenant_id!r} or the project" if tenant_id else "in the project"
        raise ImpersonationNotAllowed(f"The impersonator lacks the {IMPERSONATION_PERMISSION!r} permission {where}")


async def _end_impersonated_session(tx: Transaction, ctx: AuthContext, project: Project, found: dict[str, Any]) -> None:
    session_id = found.get("sid")
    if found.get("drn") != REFRESH_DRN or not isinstance(session_id, str):
        return
    record = await sessions_store.get_session(tx, project.id, session_id)
    if record is not None and record.user_id == found.get("sub"):
        await sessions_store.revoke(tx, record.id, ctx.now_ms())


# --- shared ------------------------------------------------------------------------------------
def _tenant_claim(user: User, tenant_id: str) -> dict[str, Any]:
    """``{dct: tenant_id}`` for a tenant the user belongs to (``NotATenantMember`` otherwise)."""
    if not tenant_id:
        return {}
    if user.authz.tenant(tenant_id) is None:
        raise NotATenantMember(f"The user is not a member of tenant {tenant_id!r}")
    return {SELECTED_TENANT: tenant_id}


def _grant(
    user: User,
    amr: list[str],
    options: TokenOptions,
    claims: dict[str, Any],
    system: dict[str, Any],
    *,
    stepup: bool = False,
    first_seen: bool = False,
) -> minting.Grant:
    return minting.Grant(
        user=user,
        amr=amr,
        first_seen=first_seen,
        stepup=stepup,
        claims=claims,
        system=system,
        refresh_seconds=options.refresh_seconds,
    )
