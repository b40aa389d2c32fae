"""The OTP flows: sign-up, sign-in, sign-up-or-in, verify, and address updates.

Starting a flow writes the challenge and the outbox message in one transaction, so a code
is never "sent" without being stored, nor stored without its message queued.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from passgate.addresses import mask_email, mask_phone, normalize_email, normalize_login_id, normalize_phone
from passgate.auth import accounts, challenges, sessions
from passgate.auth.context import AuthContext, Caller
from passgate.delivery import outbox
from passgate.delivery.messages import OutgoingMessage
from passgate.errors import InvalidArgument, InvalidRefreshToken, UserAlreadyExists, UserDisabled, UserNotFound
from passgate.models import LoginOptions, Method, Project, SessionTokens, User, UserProfile, UserStatus
from passgate.storage import sessions_store, users_store
from passgate.storage.challenges_store import Challenge
from passgate.storage.database import Transaction

SIGNUP, SIGNIN, UPDATE = "signup", "signin", "update"


@dataclass(frozen=True)
class AddressUpdate:
    """An update request: put ``address`` on the signed-in user once it is verified."""

    login_id: str
    address: str
    method: Method
    add_to_login_ids: bool = False
    merge_into_existing: bool = False
    mfa: bool = False
    template_id: str = ""
    template_options: dict[str, str] = dataclasses.field(default_factory=dict)
    locale: str = ""


def normalize_address(method: Method, address: str) -> str:
    """The channel address in canonical form, or ``InvalidArgument``."""
    return normalize_phone(address) if method.is_phone else normalize_email(address)


def mask(method: Method, address: str) -> str:
    return mask_phone(address) if method.is_phone else mask_email(address)


async def sign_up(
    ctx: AuthContext,
    project: Project,
    method: Method,
    login_id: str,
    address: str | None,
    profile: UserProfile,
    options: LoginOptions,
) -> str:
    """Send a sign-up code; ``UserAlreadyExists`` if the login ID is taken. Returns the masked address."""
    login_id = normalize_login_id(login_id)
    target = normalize_address(method, address or login_id)
    async with ctx.db.transaction() as tx:
        if await users_store.login_id_owner(tx, project.id, login_id):
            raise UserAlreadyExists()
        details = {
            "address": target,
            "profile": accounts.profile_details(profile),
            "options": _options_details(options, None),
        }
        await _issue_and_queue(
            tx,
            ctx,
            project,
            login_id=login_id,
            user=None,
            purpose=SIGNUP,
            method=method,
            target=target,
            details=details,
            options=options,
        )
    ctx.notify_outbox()
    return mask(method, target)


async def sign_in(
    ctx: AuthContext,
    project: Project,
    method: Method,
    login_id: str,
    options: LoginOptions,
    refresh_jwt: str | None,
    *,
    create_if_missing: bool = False,
) -> str:
    """Send a sign-in code (or, with ``create_if_missing``, a sign-up code to a new login ID)."""
    login_id = normalize_login_id(login_id)
    prior = await _prior_session(ctx, project, options, refresh_jwt)
    async with ctx.db.transaction() as tx:
        user = await users_store.find_by_login_id(tx, project.id, login_id)
        if user is None and not create_if_missing:
            raise UserNotFound()
        if user is None:
            target = normalize_address(method, login_id)
            details = {"address": target, "profile": {}, "options": _options_details(options, None)}
            await _issue_and_queue(
                tx,
                ctx,
                project,
                login_id=login_id,
                user=None,
                purpose=SIGNUP,
                method=method,
                target=target,
                details=details,
                options=options,
            )
        else:
            target = _sign_in_address(user, method, login_id)
            _check_prior(prior, user)
            if not (user.test and await challenges.has_pending(tx, ctx, project, login_id)):
                # A test user's code from the management helper stays valid (Descope semantics).
                details = {"address": target, "options": _options_details(options, prior)}
                await _issue_and_queue(
                    tx,
                    ctx,
                    project,
                    login_id=login_id,
                    user=user,
                    purpose=SIGNIN,
                    method=method,
                    target=target,
                    details=details,
                    options=options,
                )
    ctx.notify_outbox()
    return mask(method, target)


async def start_update(ctx: AuthContext, project: Project, update: AddressUpdate, refresh_jwt: str | None) -> str:
    """Send a code to a new address of the signed-in user; the address changes on verify."""
    current = await sessions.authenticate_refresh(ctx, project, refresh_jwt)
    login_id = normalize_login_id(update.login_id)
    if login_id not in current.user.login_ids:
        raise InvalidRefreshToken("The login ID does not belong to the signed-in user")
    target = normalize_address(update.method, update.address)
    details = {
        "address": target,
        "addToLoginIds": update.add_to_login_ids,
        "mergeIntoExisting": update.merge_into_existing,
        "priorAmr": current.record.amr if update.mfa else [],
        "options": {"mfa": update.mfa},
    }
    options = LoginOptions(
        template_id=update.template_id, template_options=update.template_options, locale=update.locale
    )
    async with ctx.db.transaction() as tx:
        await _issue_and_queue(
            tx,
            ctx,
            project,
            login_id=login_id,
            user=current.user,
            purpose=UPDATE,
            method=update.method,
            target=target,
            details=details,
            options=options,
        )
    ctx.notify_outbox()
    return mask(update.method, target)


async def verify(
    ctx: AuthContext, project: Project, method: Method, login_id: str, code: str, caller: Caller
) -> SessionTokens:
    """Check the code and return the session it earns."""
    login_id = normalize_login_id(login_id)

    async def complete(tx: Transaction, challenge: Challenge) -> sessions.OpenedSession:
        grant = await _grant_for(tx, ctx, project, challenge, method)
        if challenge.details.get("options", {}).get("revokeOtherSessions"):
            await sessions_store.revoke_all_of_user(tx, grant.user.id, ctx.now_ms())
        return await sessions.open_session(tx, ctx, project, grant, caller)

    opened = await challenges.verify_and_consume(
        ctx, project, login_id=login_id, method=method, code=code, on_success=complete
    )
    return await sessions.mint(ctx, project, opened)


async def _grant_for(
    tx: Transaction, ctx: AuthContext, project: Project, challenge: Challenge, method: Method
) -> sessions.Grant:
    details, now = challenge.details, ctx.clock.now()
    options = details.get("options", {})
    if challenge.purpose == SIGNUP:
        profile = accounts.profile_from_details(details.get("profile", {}))
        profile = accounts.with_verified_profile_address(profile, method, details["address"])
        user = await accounts.create_user(
            tx, project_id=project.id, login_ids=[challenge.login_id], profile=profile, test=False, now=now
        )
        return _grant(user, method, options, first_seen=True)
    user = await accounts.load_signable_user(tx, project.id, challenge.user_id)
    if challenge.purpose == UPDATE:
        user = await accounts.apply_address_update(
            tx,
            user,
            method=method,
            address=details["address"],
            add_to_login_ids=bool(details.get("addToLoginIds")),
            merge_into_existing=bool(details.get("mergeIntoExisting")),
            now=now,
        )
    else:
        user = await accounts.confirm_sign_in(tx, user, method, details["address"], now)
    return _grant(user, method, {**options, "priorAmr": details.get("priorAmr", options.get("priorAmr", []))})


def _grant(user: User, method: Method, options: dict[str, Any], *, first_seen: bool = False) -> sessions.Grant:
    amr = [method.amr]
    if options.get("mfa"):
        factors = list(dict.fromkeys([*options.get("priorAmr", []), method.amr]))
        amr = [*factors, "mfa"] if len(set(factors) - {"mfa"}) > 1 else factors
    return sessions.Grant(
        user=user,
        amr=amr,
        first_seen=first_seen,
        stepup=bool(options.get("stepup")),
        nsec=options.get("customClaims") or {},
        claims=options.get("managementClaims") or {},
    )


async def _issue_and_queue(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    *,
    login_id: str,
    user: User | None,
    purpose: str,
    method: Method,
    target: str,
    details: dict[str, Any],
    options: LoginOptions,
) -> None:
    issued = await challenges.issue(
        tx,
        ctx,
        project,
        login_id=login_id,
        user_id=user.id if user else None,
        purpose=purpose,
        method=method,
        details=details,
    )
    if user is not None and user.test:
        return  # test users receive nothing; the code comes from the management helper
    message = OutgoingMessage(
        channel=method.value,
        to=target,
        purpose=purpose,
        code=issued.code,
        login_id=login_id,
        project_name=project.name,
        locale=options.locale,
        template_options=options.template_options,
    )
    await outbox.enqueue(
        tx, ctx.secrets, project_id=project.id, challenge_id=issued.challenge_id, message=message, now_ms=ctx.now_ms()
    )


def _sign_in_address(user: User, method: Method, login_id: str) -> str:
    """Where a sign-in code goes: the user's address for the channel, else the login ID itself."""
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    stored = user.phone if method.is_phone else user.email
    if stored:
        return stored
    try:
        return normalize_address(method, login_id)
    except InvalidArgument as exc:
        channel = "phone number" if method.is_phone else "email address"
        raise InvalidArgument(f"The user has no {channel} to send a code to") from exc


async def _prior_session(
    ctx: AuthContext, project: Project, options: LoginOptions, refresh_jwt: str | None
) -> sessions.RefreshContext | None:
    """The session that step-up or MFA builds on (required for either)."""
    if not (options.stepup or options.mfa):
        return None
    return await sessions.authenticate_refresh(ctx, project, refresh_jwt)


def _check_prior(prior: sessions.RefreshContext | None, user: User) -> None:
    if prior is not None and prior.user.id != user.id:
        raise InvalidRefreshToken("The refresh token belongs to another user")


def _options_details(options: LoginOptions, prior: sessions.RefreshContext | None) -> dict[str, Any]:
    return {
        "stepup": options.stepup,
        "mfa": options.mfa,
        "customClaims": options.custom_claims,
        "revokeOtherSessions": options.revoke_other_sessions,
        "priorAmr": prior.record.amr if prior else [],
    }
