"""Authenticator apps (TOTP, RFC 6238): enrolment, sign-in by code, removal.

An enrolment (sign-up, or adding an app to a signed-in user) stores a *pending* secret; its
first accepted code confirms it, replacing the app the user had, and sets the user's
``TOTP`` flag. An enrolment never finished leaves the earlier app working.

A code is accepted for its 30 s step or one step either side (clock drift), once: the step
accepted is recorded by one guarded ``UPDATE`` (``last_step < :step``), so a replay, or two
requests racing with the same code, win at most once. Wrong codes spend the login ID's
failure budget, the one codes sent by message spend, under the same back-off; a login ID's
codes are judged one at a time (its budget row is held), so parallel guesses cannot be
compared beyond the budget.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import pyotp
import segno
from cryptography.exceptions import InvalidTag

from passgate.addresses import normalize_login_id
from passgate.auth import challenges, factors, ratelimits, refresh_tokens
from passgate.auth.context import AuthContext, Caller
from passgate.auth.minting import mint
from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidArgument, InvalidRefreshToken, PassgateError, UserDisabled, WrongCode
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.models.users import User, UserProfile, UserStatus
from passgate.storage import totp_store, users_store
from passgate.storage.database import Transaction

STEP_SECONDS = 30
DRIFT_STEPS = 1  # accepted either side of the current step
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation (32 base32 characters)
ISSUER_FALLBACK = "passgate"


@dataclass(frozen=True)
class Enrolment:
    """What an app is set up from: the ``otpauth://`` URI, its QR code (PNG, base64) and the
    base32 secret to type in by hand."""

    provisioning_url: str
    image: str
    key: str


async def sign_up(ctx: AuthContext, project: Project, login_id: str, profile: UserProfile) -> Enrolment:
    """Create the user with a pending app; ``UserAlreadyExists`` if the login ID is taken."""
    async with ctx.db.transaction() as tx:
        user = await factors.new_user(tx, ctx, project, login_id, profile)
        return await _enrol(tx, ctx, project, user)


async def update(ctx: AuthContext, project: Project, login_id: str, refresh_jwt: str | None) -> Enrolment:
    """A new pending app for the signed-in user owning ``login_id``."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if login_id not in current.user.login_ids:
        raise InvalidRefreshToken("The login ID does not belong to the signed-in user")
    async with ctx.db.transaction() as tx:
        return await _enrol(tx, ctx, project, current.user)


async def verify(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    code: str,
    options: LoginOptions,
    refresh_jwt: str | None,
    caller: Caller,
) -> SessionTokens:
    """Sign in with a code from the user's app; ``WrongCode`` alike for a wrong code, a used
    one, an unknown login ID and a user without an app (the answer names none of them)."""
    login_id = normalize_login_id(login_id)
    await ctx.limiter.hit(*ratelimits.verifies(project, login_id, caller.ip))
    prior = await factors.prior_session(ctx, project, options, refresh_jwt, None)
    opened = None
    async with ctx.db.transaction() as tx:
        failure, user, first = await _check(tx, ctx, project, login_id, code)
        if user is not None:
            if prior is not None and prior.user.id != user.id:
                raise InvalidRefreshToken("The refresh token belongs to another user")
            if first:
                user = await factors.mark(tx, ctx, user, factors.TOTP, held=True)
            earned = factors.Earned.of(options, prior)
            opened = await factors.open_session(tx, ctx, project, caller, user, factors.TOTP, earned)
    if opened is None:
        assert failure is not None
        raise failure  # after commit: the failed attempt stays counted
    return await mint(ctx, project, opened)


async def remove(tx: Transaction, ctx: AuthContext, user: User) -> User:
    """Forget the user's app (confirmed and pending); the user as it now is."""
    await totp_store.remove(tx, user.id)
    return await factors.mark(tx, ctx, user, factors.TOTP, held=False)


async def import_seed(tx: Transaction, ctx: AuthContext, user: User, seed: str) -> User:
    """Give ``user`` the app whose base32 secret is ``seed``, confirmed (an import from another
    system); ``InvalidArgument`` if it is not base32 of at least 80 bits."""
    sealed = sealed_seed(ctx.secrets, user.id, seed)
    await totp_store.import_confirmed(tx, user.id, user.project_id, sealed, ctx.now_ms())
    return await factors.mark(tx, ctx, user, factors.TOTP, held=True)


def sealed_seed(secrets: Secrets, user_id: str, seed: str) -> str:
    """``seed`` (a base32 secret of at least 80 bits) sealed for the user; ``InvalidArgument``
    if it is not one."""
    normalized = seed.replace(" ", "").upper()
    try:
        raw = base64.b32decode(normalized + "=" * (-len(normalized) % 8))
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgument("seed must be a base32 TOTP secret") from exc
    if len(raw) < 10:
        raise InvalidArgument("seed must hold at least 80 bits")
    return secrets.seal(normalized.encode(), _context(user_id))


def opens(secrets: Secrets, user_id: str, sealed: str) -> bool:
    """Whether ``sealed`` is a secret sealed for this user with this server's key."""
    try:
        secrets.unseal(sealed, _context(user_id))
    except (InvalidTag, ValueError):  # tampered, sealed elsewhere or for another user, not base64
        return False
    return True


def clear_secret(secrets: Secrets, user_id: str, sealed: str) -> str:
    """The base32 secret ``sealed`` holds (for an export in the clear)."""
    return secrets.unseal(sealed, _context(user_id)).decode()


async def _enrol(tx: Transaction, ctx: AuthContext, project: Project, user: User) -> Enrolment:
    key = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()
    await totp_store.enrol(tx, user.id, project.id, ctx.secrets.seal(key.encode(), _context(user.id)), ctx.now_ms())
    url = pyotp.TOTP(key, interval=STEP_SECONDS).provisioning_uri(
        name=user.login_ids[0], issuer_name=project.name or ISSUER_FALLBACK
    )
    return Enrolment(provisioning_url=url, image=_qr_png_base64(url), key=key)


def _qr_png_base64(text: str) -> str:
    """A PNG QR code of ``text``, base64 (segno's data URI carries exactly that after the comma)."""
    return segno.make(text, error="m").png_data_uri(scale=4).split(",", 1)[1]


async def _check(
    tx: Transaction, ctx: AuthContext, project: Project, login_id: str, code: str
) -> tuple[PassgateError | None, User | None, bool]:
    """(refusal, user, whether the code confirmed a pending app)."""
    now_ms = ctx.now_ms()
    user = await users_store.find_by_login_id(tx, project.id, login_id)
    row = await totp_store.of_user(tx, user.id) if user else None
    if user is None or row is None or not (row.secret or row.pending_secret):
        return WrongCode("Wrong code"), None, False
    if user.status is UserStatus.DISABLED:
        return UserDisabled(), None, False
    await challenges.judged_one_at_a_time(tx, project, login_id, now_ms)
    refused = await challenges.over_failure_budget(tx, project, login_id, now_ms)
    if refused is not None:
        return refused, None, False
    current_step = int(ctx.clock.now()) // STEP_SECONDS
    for sealed, pending in ((row.secret, False), (row.pending_secret, True)):
        step = _matching_step(ctx, user.id, sealed, code, current_step) if sealed else None
        if step is None:
            continue
        if await totp_store.accept_step(tx, user.id, step, confirm_pending=pending, now_ms=now_ms):
            return None, user, pending
        break  # that step was accepted before: a replay, counted as a failure
    counted = await challenges.count_failure(tx, project, login_id, now_ms)
    return counted or WrongCode("Wrong code"), None, False


def _matching_step(ctx: AuthContext, user_id: str, sealed: str, code: str, current_step: int) -> int | None:
    """The step within the drift window whose code is ``code`` (every candidate compared in
    constant time, so timing says nothing about which matched); ``None`` if none."""
    totp = pyotp.TOTP(ctx.secrets.unseal(sealed, _context(user_id)).decode(), interval=STEP_SECONDS)
    found = None
    for step in range(current_step - DRIFT_STEPS, current_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS).encode(), code.encode()):
            found = step
    return found


def _context(user_id: str) -> str:
    return f"totp-secret:{quote(user_id)}"
