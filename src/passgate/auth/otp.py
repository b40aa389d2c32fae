"""The OTP flows: sign-up, sign-in, sign-up-or-in, verify, and address updates.

Starting a flow writes the challenge and the outbox message in one transaction, so a code
is never "sent" without being stored, nor stored without its message queued.
"""

from __future__ import annotations

from passgate.addresses import normalize_login_id
from passgate.auth import challenges, intents, minting, ratelimits
from passgate.auth.context import AuthContext, Caller
from passgate.auth.intent_details import intent_details_from_stored
from passgate.auth.intents import AddressUpdate, Intent
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.models.users import UserProfile
from passgate.storage.challenges_store import Challenge
from passgate.storage.database import Transaction

__all__ = ["AddressUpdate", "issue_code", "sign_in", "sign_up", "start_update", "verify"]


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
    async with ctx.db.transaction() as tx:
        intent = await intents.for_sign_up(tx, project, method, login_id, address, profile, options)
        await _issue_and_queue(tx, ctx, project, intent)
    ctx.notify_outbox()
    return intent.masked_target


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
    prior = await intents.prior_session(ctx, project, options, refresh_jwt)
    async with ctx.db.transaction() as tx:
        intent = await intents.for_sign_in(
            tx, project, method, login_id, options, prior, create_if_missing=create_if_missing
        )
        keep_generated = intent.user is not None and intent.user.test
        # A test user's code from the management helper stays valid (Descope semantics).
        if not (keep_generated and await challenges.has_pending(tx, ctx, project, intent.login_id)):
            await _issue_and_queue(tx, ctx, project, intent)
    ctx.notify_outbox()
    return intent.masked_target


async def start_update(ctx: AuthContext, project: Project, update: AddressUpdate, refresh_jwt: str | None) -> str:
    """Send a code to a new address of the signed-in user; the address changes on verify."""
    intent = await intents.for_update(ctx, project, update, refresh_jwt)
    async with ctx.db.transaction() as tx:
        await _issue_and_queue(tx, ctx, project, intent)
    ctx.notify_outbox()
    return intent.masked_target


async def verify(
    ctx: AuthContext, project: Project, method: Method, login_id: str, code: str, caller: Caller
) -> SessionTokens:
    """Check the code and return the session it earns."""
    login_id = normalize_login_id(login_id)
    await ctx.limiter.hit(*ratelimits.verifies(project, login_id, caller.ip))

    async def complete(tx: Transaction, challenge: Challenge) -> minting.OpenedSession:
        return await intents.complete(
            tx,
            ctx,
            project,
            caller,
            purpose=challenge.purpose,
            login_id=challenge.login_id,
            user_id=challenge.user_id,
            method=method,
            details=intent_details_from_stored(challenge.details),
        )

    opened = await challenges.verify_and_consume(
        ctx, project, login_id=login_id, method=method, code=code, on_success=complete
    )
    return await minting.mint(ctx, project, opened)


async def issue_code(
    tx: Transaction, ctx: AuthContext, project: Project, intent: Intent, method: Method | None
) -> challenges.IssuedCode:
    """A new code for ``intent`` (``method=None``: verifiable at any method, for embedded codes)."""
    return await challenges.issue(
        tx,
        ctx,
        project,
        login_id=intent.login_id,
        user_id=intent.user.id if intent.user else None,
        purpose=intent.purpose,
        method=method,
        details=intent.details,
    )


async def _issue_and_queue(tx: Transaction, ctx: AuthContext, project: Project, intent: Intent) -> None:
    issued = await issue_code(tx, ctx, project, intent, intent.method)
    expires_in = project.settings.otp_expiry_seconds
    await intents.queue_message(
        tx, ctx, project, intent, secret_id=issued.challenge_id, expires_in=expires_in, code=issued.code
    )
