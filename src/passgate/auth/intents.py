"""Who a one-time secret is for, where it goes, and what verifying it does.

OTP codes, magic links and enchanted links differ only in the secret. Starting any of them
resolves an ``Intent`` (sign-up, sign-in or address update: the login ID, the user if one
exists, the address to send to, and the details to act on later); verifying any of them
calls ``complete``, which creates or updates the user and opens the session.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from passgate.addresses import mask_email, mask_phone, normalize_email, normalize_login_id, normalize_phone
from passgate.auth import accounts, minting, outgoing, ratelimits, refresh_tokens
from passgate.auth.claims import combined_amr
from passgate.auth.context import AuthContext, Caller
from passgate.auth.intent_details import IntentDetails
from passgate.errors import (
    InvalidArgument,
    InvalidRefreshToken,
    ManagedUserNotFound,
    NotATestUser,
    NoVerifiedEmail,
    UserAlreadyExists,
    UserDisabled,
    UserNotFound,
    WrongCode,
)
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions
from passgate.models.users import User, UserProfile, UserStatus
from passgate.storage import sessions_store, users_store
from passgate.storage.database import Transaction

SIGNUP, SIGNIN, UPDATE = "signup", "signin", "update"
RESET = "reset"  # a password reset: a sign-in by a link to the user's verified email
DECOY = "decoy"  # a sign-in of an unknown login ID when the project hides which ones exist


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
    redirect_url: str = ""
    provider_id: str = ""


@dataclass(frozen=True)
class Intent:
    """A started authentication, before any secret is issued."""

    login_id: str
    user: User | None
    purpose: str
    method: Method
    target: str
    details: IntentDetails
    options: LoginOptions

    @property
    def masked_target(self) -> str:
        return mask_phone(self.target) if self.method.is_phone else mask_email(self.target)


def normalize_address(method: Method, address: str) -> str:
    """The channel address in canonical form, or ``InvalidArgument``."""
    return normalize_phone(address) if method.is_phone else normalize_email(address)


async def for_sign_up(
    tx: Transaction,
    project: Project,
    method: Method,
    login_id: str,
    address: str | None,
    profile: UserProfile,
    options: LoginOptions,
) -> Intent:
    """A sign-up of a new login ID; ``UserAlreadyExists`` if it is taken."""
    login_id = normalize_login_id(login_id)
    target = normalize_address(method, address or login_id)
    if await users_store.login_id_owner(tx, project.id, login_id):
        raise UserAlreadyExists()
    details = _details(target, options, None, profile)
    return Intent(login_id, None, SIGNUP, method, target, details, options)


async def for_sign_in(
    tx: Transaction,
    project: Project,
    method: Method,
    login_id: str,
    options: LoginOptions,
    prior: refresh_tokens.RefreshContext | None,
    *,
    create_if_missing: bool = False,
) -> Intent:
    """A sign-in of an existing user (or, with ``create_if_missing``, a sign-up)."""
    login_id = normalize_login_id(login_id)
    user = await users_store.find_by_login_id(tx, project.id, login_id)
    if user is None and create_if_missing:
        return await for_sign_up(tx, project, method, login_id, None, UserProfile(), options)
    if user is None and project.settings.hide_login_existence:
        # The same work and the same answer as for a real user; the code goes nowhere.
        target = _sign_in_address_of(method, login_id)
        return Intent(login_id, None, DECOY, method, target, IntentDetails(address=target), options)
    if user is None:
        raise UserNotFound()
    if prior is not None and prior.user.id != user.id:
        raise InvalidRefreshToken("The refresh token belongs to another user")
    target = _sign_in_address(user, method, login_id)
    return Intent(login_id, user, SIGNIN, method, target, _details(target, options, prior), options)


async def for_password_reset(tx: Transaction, project: Project, login_id: str, options: LoginOptions) -> Intent:
    """A password reset: a sign-in link to the user's *verified* email (an unverified one
    could be anyone's). With ``hide_login_existence``, an unknown login ID that is an email
    address gets a decoy (nothing sent, the same answer)."""
    login_id = normalize_login_id(login_id)
    user = await users_store.find_by_login_id(tx, project.id, login_id)
    hidden = project.settings.hide_login_existence
    if user is None and not hidden:
        raise UserNotFound()
    if user is not None and user.status is UserStatus.DISABLED:
        raise UserDisabled()
    if user is None or not (user.email and user.verified_email):
        if not hidden:
            raise NoVerifiedEmail()
        try:
            target = normalize_email(user.email if user else login_id)
        except InvalidArgument as exc:
            raise NoVerifiedEmail() from exc
        return Intent(login_id, None, DECOY, Method.EMAIL, target, IntentDetails(address=target), options)
    details = IntentDetails(address=user.email, custom_claims=options.custom_claims)
    return Intent(login_id, user, RESET, Method.EMAIL, user.email, details, options)


async def for_update(ctx: AuthContext, project: Project, update: AddressUpdate, refresh_jwt: str | None) -> Intent:
    """An address update for the signed-in user whose refresh JWT is given."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    login_id = normalize_login_id(update.login_id)
    if login_id not in current.user.login_ids:
        raise InvalidRefreshToken("The login ID does not belong to the signed-in user")
    target = normalize_address(update.method, update.address)
    details = IntentDetails(
        address=target,
        mfa=update.mfa,
        prior_amr=tuple(current.record.amr) if update.mfa else (),
        add_to_login_ids=update.add_to_login_ids,
        merge_into_existing=update.merge_into_existing,
    )
    options = LoginOptions(
        template_id=update.template_id,
        template_options=update.template_options,
        locale=update.locale,
        provider_id=update.provider_id,
    )
    return Intent(login_id, current.user, UPDATE, update.method, target, details, options)


async def for_test_user(tx: Transaction, project: Project, login_id: str, method: Method | None) -> Intent:
    """A sign-in of a *test* user for the management helpers (``NotATestUser`` otherwise).

    ``method=None`` (Descope's ``Embedded``) addresses the user's email.
    """
    intent = await for_existing_user(tx, project, login_id, method or Method.EMAIL)
    assert intent.user is not None
    if not intent.user.test:
        raise NotATestUser()
    address = (intent.user.phone if intent.method.is_phone else intent.user.email) or intent.login_id
    return dataclasses.replace(intent, target=address, details=dataclasses.replace(intent.details, address=address))


async def for_existing_user(tx: Transaction, project: Project, login_id: str, method: Method = Method.EMAIL) -> Intent:
    """A sign-in of any existing user that confirms no address (embedded links, test helpers)."""
    normalized = normalize_login_id(login_id)
    user = await users_store.find_by_login_id(tx, project.id, normalized)
    if user is None:
        raise ManagedUserNotFound()
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    return Intent(normalized, user, SIGNIN, method, "", IntentDetails(), LoginOptions())


def with_management_claims(intent: Intent, claims: dict[str, Any]) -> Intent:
    """``intent`` whose session will carry ``claims`` at the top level of its JWTs."""
    return dataclasses.replace(intent, details=dataclasses.replace(intent.details, management_claims=claims))


async def prior_session(
    ctx: AuthContext, project: Project, options: LoginOptions, refresh_jwt: str | None
) -> refresh_tokens.RefreshContext | None:
    """The session that step-up or MFA builds on (required for either, else ``None``)."""
    if not (options.stepup or options.mfa):
        return None
    return await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)


async def queue_message(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    intent: Intent,
    *,
    secret_id: str,
    expires_in: int,
    code: str = "",
    link: str = "",
    links: tuple[tuple[str, str], ...] = (),
) -> None:
    """Queue the message carrying the secret, in the caller's transaction.

    Test users receive nothing: their secrets come from the management helpers.
    """
    if intent.user is not None and intent.user.test:
        return
    # Checked here, inside the transaction: a refused send rolls back the secret it carried.
    # Decoys count too, so limits answer alike for known and unknown login IDs.
    await outgoing.check_channel(ctx, project, intent.method, intent.target)
    await ctx.limiter.hit(*ratelimits.sends(project, intent.login_id, intent.method.value, intent.target))
    if intent.purpose == DECOY:
        return
    await outgoing.enqueue(
        tx,
        ctx,
        project,
        method=intent.method,
        to=intent.target,
        purpose=intent.purpose,
        login_id=intent.login_id,
        options=intent.options,
        secret_id=secret_id,
        expires_in=expires_in,
        code=code,
        link=link,
        links=links,
    )


async def complete(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    caller: Caller,
    *,
    purpose: str,
    login_id: str,
    user_id: str | None,
    method: Method,
    details: IntentDetails,
) -> minting.OpenedSession:
    """Act on a verified secret: create, confirm or update the user, then open a session."""
    grant = await _grant(tx, ctx, project, purpose, login_id, user_id, method, details)
    if details.revoke_other_sessions:
        await sessions_store.revoke_all_of_user(tx, grant.user.id, ctx.now_ms())
    return await minting.open_session(tx, ctx, project, grant, caller)


async def _grant(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    purpose: str,
    login_id: str,
    user_id: str | None,
    method: Method,
    details: IntentDetails,
) -> minting.Grant:
    now = ctx.clock.now()
    if purpose == DECOY:
        raise WrongCode()  # its code was never sent; a lucky guess must not create anything
    if purpose == SIGNUP:
        profile = accounts.with_verified_profile_address(details.profile or UserProfile(), method, details.address)
        user = await accounts.create_user(
            tx, project_id=project.id, login_ids=[login_id], profile=profile, test=False, now=now
        )
        return _grant_of(user, method, details, first_seen=True)
    user = await accounts.load_signable_user(tx, project.id, user_id)
    if purpose == UPDATE:
        user = await accounts.apply_address_update(
            tx,
            user,
            method=method,
            address=details.address,
            add_to_login_ids=details.add_to_login_ids,
            merge_into_existing=details.merge_into_existing,
            now=now,
        )
    else:
        user = await accounts.confirm_sign_in(tx, user, method, details.address, now)
    return _grant_of(user, method, details)


def _grant_of(user: User, method: Method, details: IntentDetails, *, first_seen: bool = False) -> minting.Grant:
    amr = combined_amr(list(details.prior_amr), method.amr) if details.mfa else [method.amr]
    return minting.Grant(
        user=user,
        amr=amr,
        first_seen=first_seen,
        stepup=details.stepup,
        nsec=details.custom_claims or {},
        claims=details.management_claims or {},
    )


def _sign_in_address(user: User, method: Method, login_id: str) -> str:
    """Where a sign-in secret goes: the user's address for the channel, else the login ID itself."""
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    stored = user.phone if method.is_phone else user.email
    return stored or _sign_in_address_of(method, login_id)


def _sign_in_address_of(method: Method, login_id: str) -> str:
    try:
        return normalize_address(method, login_id)
    except InvalidArgument as exc:
        channel = "phone number" if method.is_phone else "email address"
        raise InvalidArgument(f"The user has no {channel} to send to") from exc


def _details(
    address: str, options: LoginOptions, prior: refresh_tokens.RefreshContext | None, profile: UserProfile | None = None
) -> IntentDetails:
    """The details of a sign-in (or, with ``profile``, a sign-up) to ``address``."""
    return IntentDetails(
        address=address,
        profile=profile,
        stepup=options.stepup,
        mfa=options.mfa,
        prior_amr=tuple(prior.record.amr) if prior else (),
        custom_claims=options.custom_claims,
        revoke_other_sessions=options.revoke_other_sessions,
    )
