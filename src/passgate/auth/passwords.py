"""Passwords: sign-up, sign-in, replace, update (signed in), reset by link; setting one
by management.

Hashing happens between transactions, never inside one (argon2id takes tens of ms; a
transaction held that long would queue every other writer). So the attempt limit is kept
by counting the failure *before* the comparison: the first transaction finds the user,
checks the login ID's and the client IP's failure budgets and counts one failure against
each (refused when a budget is spent: parallel guesses cannot exceed it); the comparison
runs; the second transaction takes those failures back if the password matched, or adds
the wrong try to the password's own count (the policy's lock) if it did not.

With the project's ``hide_login_existence``, an unknown login ID and a user without a
password are answered as a wrong password, after the same work (budgets counted, one
argon2id verify against a decoy hash).

A right password that must be changed (set temporary, expired by management or by the
policy's expiry) answers ``PasswordExpired``; ``replace`` still takes it as the old password.
A hash made with other parameters, or imported from another system, is replaced by an
argon2id hash of the same password at its first right sign-in.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passgate.addresses import normalize_login_id
from passgate.auth import challenges, factors, links, password_policy, ratelimits, refresh_tokens
from passgate.auth.context import AuthContext, Caller
from passgate.auth.minting import OpenedSession, mint
from passgate.crypto import password_hashes
from passgate.errors import (
    InvalidArgument,
    InvalidRefreshToken,
    NoPassword,
    PassgateError,
    PasswordExpired,
    PasswordLocked,
    PasswordPolicyViolation,
    UserAlreadyExists,
    UserDisabled,
    UserNotFound,
    WrongPassword,
)
from passgate.identifiers import new_opaque_id
from passgate.models.passwords import MAX_PASSWORD_LENGTH, PasswordPolicy
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.models.users import User, UserProfile, UserStatus
from passgate.storage import passwords_store, users_store
from passgate.storage.database import Transaction
from passgate.storage.passwords_store import PasswordRow

PWD = "pwd"  # noqa: S105 (the amr of a password sign-in)
FLAG = "password"  # the User object's flag


@dataclass(frozen=True)
class Attempt:
    """What the first transaction of a check found: the user and its password (``None`` when
    unknown, answered as a wrong password), the policy it is held to, and the failures
    counted in advance (taken back if the password matches)."""

    user: User | None
    row: PasswordRow | None
    policy: PasswordPolicy
    reserved: tuple[str, ...]


# --- sign-up and sign-in -------------------------------------------------------------------
async def sign_up(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    password: str,
    profile: UserProfile,
    options: LoginOptions,
    caller: Caller,
) -> SessionTokens:
    """Create the user with ``password`` and sign it in; ``UserAlreadyExists`` if the login ID
    is taken, ``PasswordPolicyViolation`` if the project's policy refuses the password."""
    login_id = normalize_login_id(login_id)
    async with ctx.db.transaction(write=False) as tx:
        policy = await password_policy.project_policy(tx, project.id)
        taken = await users_store.login_id_owner(tx, project.id, login_id)
    if taken:
        raise UserAlreadyExists()
    hashed = await _accepted_hash(ctx, policy, password, [login_id])
    async with ctx.db.transaction() as tx:
        user = await factors.new_user(tx, ctx, project, login_id, profile)
        user = await store(tx, ctx, user, hashed, must_change=False, history_depth=0)
        earned = factors.Earned.of(options, None)
        opened = await factors.open_session(tx, ctx, project, caller, user, PWD, earned, first_seen=True)
    return await mint(ctx, project, opened)


async def sign_in(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    password: str,
    options: LoginOptions,
    refresh_jwt: str | None,
    caller: Caller,
) -> SessionTokens:
    """Sign in with the user's password (``loginOptions`` step-up and MFA as on every method)."""
    login_id = normalize_login_id(login_id)
    prior = await factors.prior_session(ctx, project, options, refresh_jwt, None)
    attempt = await _checked(ctx, project, login_id, password, caller)
    user = attempt.user
    assert user is not None
    assert attempt.row is not None
    if prior is not None and prior.user.id != user.id:
        raise InvalidRefreshToken("The refresh token belongs to another user")
    if _must_change(ctx, attempt):
        raise PasswordExpired("The password has expired; replace it or reset it")
    async with ctx.db.transaction() as tx:
        opened = await factors.open_session(tx, ctx, project, caller, user, PWD, factors.Earned.of(options, prior))
    return await mint(ctx, project, opened)


async def replace(
    ctx: AuthContext, project: Project, login_id: str, old_password: str, new_password: str, caller: Caller
) -> SessionTokens:
    """Change the password given the current one (also when it has expired) and sign in; the
    new one must differ from it (else a temporary password would be replaced by itself)."""
    login_id = normalize_login_id(login_id)
    attempt = await _checked(ctx, project, login_id, old_password, caller)
    user = attempt.user
    assert user is not None
    if hmac.compare_digest(new_password.encode(), old_password.encode()):
        raise PasswordPolicyViolation("The new password must differ from the old one")
    await _set(ctx, user, attempt.policy, new_password, must_change=False)
    async with ctx.db.transaction() as tx:
        opened = await _open_after_change(tx, ctx, project, caller, user)
    return await mint(ctx, project, opened)


async def update(ctx: AuthContext, project: Project, login_id: str, new_password: str, refresh_jwt: str | None) -> None:
    """Set a new password for the signed-in user owning ``login_id`` (after a reset link too)."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if normalize_login_id(login_id) not in current.user.login_ids:
        raise InvalidRefreshToken("The login ID does not belong to the signed-in user")
    async with ctx.db.transaction(write=False) as tx:
        policy = await password_policy.policy_for(tx, current.user)
    await _set(ctx, current.user, policy, new_password, must_change=False)


async def set_by_management(ctx: AuthContext, user: User, password: str, *, active: bool) -> None:
    """Give ``user`` this password: ``active``, or temporary (to be replaced at the next sign-in)."""
    async with ctx.db.transaction(write=False) as tx:
        policy = await password_policy.policy_for(tx, user)
    await _set(ctx, user, policy, password, must_change=not active)


async def expire(tx: Transaction, user: User) -> None:
    """Make the user's password one to replace before the next sign-in; ``NoPassword`` if none."""
    if not await passwords_store.require_change(tx, user.id):
        raise NoPassword()


async def send_reset(
    ctx: AuthContext, project: Project, login_id: str, redirect_url: str | None, options: LoginOptions
) -> links.EnchantedStart | str:
    """Send a reset link to the user's verified email (``links.start_password_reset``); its
    sign-in lets ``update`` set the new password."""
    password_policy.require_enabled(await project_policy(ctx, project))
    return await links.start_password_reset(ctx, project, login_id, redirect_url, options)


def imported_hash(hashed: Mapping[str, Any]) -> str:
    """The stored form of a hash from another system, given as Descope's ``hashedPassword``
    (``{<kind>: {...}}``); ``InvalidArgument`` naming what is wrong with it."""
    try:
        return password_hashes.stored_form(hashed)
    except ValueError as exc:
        raise InvalidArgument(f"hashedPassword: {exc}") from exc


def exported_hash(stored: str) -> dict[str, Any]:
    """A stored hash as Descope's ``hashedPassword`` (import takes it back unchanged)."""
    return password_hashes.exported_form(stored)


async def project_policy(ctx: AuthContext, project: Project) -> PasswordPolicy:
    """The policy new users meet (``/v1/auth/password/policy``)."""
    async with ctx.db.transaction(write=False) as tx:
        return await password_policy.project_policy(tx, project.id)


# --- the check ---------------------------------------------------------------------------
async def _checked(ctx: AuthContext, project: Project, login_id: str, password: str, caller: Caller) -> Attempt:
    """The attempt of a right password, its failures taken back; for a wrong one, raises its
    refusal after the transaction that counts it commits (the failure stays counted)."""
    await ctx.limiter.hit(*ratelimits.verifies(project, login_id, caller.ip))
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[: MAX_PASSWORD_LENGTH + 1]  # still wrong, never hashed at length
    attempt = await _begin(ctx, project, login_id, caller)
    if attempt.row is None:
        await ctx.passwords.check_unknown(password)
        raise WrongPassword()
    stored = attempt.row.hash
    matched = await ctx.passwords.check(stored, password)
    rehashed = await ctx.passwords.hash(password) if matched and ctx.passwords.outdated(stored) else ""
    async with ctx.db.transaction() as tx:
        refusal = await _settle(tx, attempt, matched, rehashed)
    if refusal is not None:
        raise refusal
    return attempt


async def _begin(ctx: AuthContext, project: Project, login_id: str, caller: Caller) -> Attempt:
    """Find the user and its password, check the budgets and count a failure against each."""
    now_ms = ctx.now_ms()
    async with ctx.db.transaction() as tx:
        user = await users_store.find_by_login_id(tx, project.id, login_id)
        row = await passwords_store.of_user(tx, user.id) if user else None
        if row is None and not project.settings.hide_login_existence:
            raise UserNotFound() if user is None else NoPassword()
        policy = (
            await password_policy.policy_for(tx, user) if user else await password_policy.project_policy(tx, project.id)
        )
        password_policy.require_enabled(policy)
        if user is not None and row is not None:
            _check_usable(user, row, policy)
        reserved = await _reserve(tx, project, login_id, caller, now_ms)
    return Attempt(user if row else None, row, policy, reserved)


def _check_usable(user: User, row: PasswordRow, policy: PasswordPolicy) -> None:
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    locks_after = policy.locks_after
    if locks_after is not None and row.failed_attempts >= locks_after:
        raise PasswordLocked("The password is locked after too many wrong tries; reset it")


def _budgets(project: Project, login_id: str, caller: Caller) -> list[tuple[str, challenges.Budget]]:
    """The failure budgets a password try spends: the login ID's, and the client IP's."""
    budgets = [(login_id, challenges.login_budget(project))]
    if caller.ip:
        limit = project.settings.max_failed_passwords_per_ip
        budgets.append((f"ip:{caller.ip}", challenges.Budget(limit, backoff_after=max(limit // 4, 1))))
    return budgets


async def _reserve(tx: Transaction, project: Project, login_id: str, caller: Caller, now_ms: int) -> tuple[str, ...]:
    reserved = []
    for key, budget in _budgets(project, login_id, caller):
        refusal = await challenges.over_failure_budget(tx, project, key, now_ms, budget)
        event_id = new_opaque_id()
        refusal = refusal or await challenges.count_failure(tx, project, key, now_ms, budget, event_id)
        if refusal is not None:
            raise refusal  # rolls back the failures counted so far in this try
        reserved.append(event_id)
    return tuple(reserved)


async def _settle(tx: Transaction, attempt: Attempt, matched: bool, rehashed: str) -> PassgateError | None:
    """Take back the failures counted in advance (a match) or count the wrong try."""
    assert attempt.user is not None
    assert attempt.row is not None
    user_id = attempt.user.id
    if not matched:
        wrong = await passwords_store.count_wrong(tx, user_id)
        locks_after = attempt.policy.locks_after
        if locks_after is not None and wrong >= locks_after:
            return PasswordLocked("Wrong password; the password is now locked, reset it")
        return WrongPassword()
    for event_id in attempt.reserved:
        await challenges.forgive_failure(tx, event_id)
    await passwords_store.clear_wrong(tx, user_id)
    if rehashed:
        await passwords_store.replace_hash(tx, user_id, attempt.row.hash, rehashed)
    return None


def _must_change(ctx: AuthContext, attempt: Attempt) -> bool:
    assert attempt.row is not None
    lifetime = attempt.policy.expires_after_ms
    expired = lifetime is not None and ctx.now_ms() - attempt.row.set_at_ms > lifetime
    return attempt.row.must_change or expired


# --- setting a password ----------------------------------------------------------------------
async def _set(ctx: AuthContext, user: User, policy: PasswordPolicy, password: str, *, must_change: bool) -> None:
    """Check ``password`` against the policy (and, with reuse checking, the user's recent
    passwords), hash it and make it the user's."""
    password_policy.check(policy, password, user.login_ids)  # before the costly reuse check
    depth = policy.history_depth
    if depth:
        await _refuse_reuse(ctx, user, password, depth)
    hashed = await ctx.passwords.hash(password)
    async with ctx.db.transaction() as tx:
        await store(tx, ctx, user, hashed, must_change=must_change, history_depth=depth)


async def hash_for_new_user(ctx: AuthContext, project: Project, login_ids: Sequence[str], password: str) -> str:
    """The stored form of a password given when a user is created (by management), once
    the project's policy accepts it."""
    async with ctx.db.transaction(write=False) as tx:
        policy = await password_policy.project_policy(tx, project.id)
    return await _accepted_hash(ctx, policy, password, login_ids)


async def _accepted_hash(ctx: AuthContext, policy: PasswordPolicy, password: str, login_ids: Sequence[str]) -> str:
    """``password`` hashed, once ``policy`` accepts it (``PasswordPolicyViolation`` otherwise)."""
    password_policy.check(policy, password, login_ids)
    return await ctx.passwords.hash(password)


async def _refuse_reuse(ctx: AuthContext, user: User, password: str, depth: int) -> None:
    async with ctx.db.transaction(write=False) as tx:
        current = await passwords_store.of_user(tx, user.id)
        earlier = await passwords_store.history(tx, user.id, depth - 1 if current else depth)
    for stored in ([current.hash] if current else []) + earlier:
        if await ctx.passwords.check(stored, password):
            raise password_policy.reused()


async def store(
    tx: Transaction, ctx: AuthContext, user: User, hashed: str, *, must_change: bool, history_depth: int = 0
) -> User:
    """Make ``hashed`` (a stored form: argon2id, or a hash imported as it came) the user's
    password; the user as it now is (its ``password`` flag set)."""
    row = PasswordRow(
        user_id=user.id,
        project_id=user.project_id,
        hash=hashed,
        must_change=must_change,
        set_at_ms=ctx.now_ms(),
        failed_attempts=0,
    )
    await passwords_store.put(tx, row, history_depth)
    return user if user.password else await factors.mark(tx, ctx, user, FLAG, held=True)


async def _open_after_change(
    tx: Transaction, ctx: AuthContext, project: Project, caller: Caller, user: User
) -> OpenedSession:
    found = await users_store.find_by_id(tx, project.id, user.id)
    assert found is not None
    return await factors.open_session(tx, ctx, project, caller, found, PWD, factors.Earned())
