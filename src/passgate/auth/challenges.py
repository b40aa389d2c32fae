"""One-time code challenges: issue, and check-and-consume atomically.

The check reads the newest challenge and the login ID's failure budget, then compares
HMACs in constant time (touching no row), and only then counts the attempt, with one
guarded ``UPDATE`` whichever the outcome: a matching code is counted and consumed at once
(``attempts = attempts + 1, state = 'used' WHERE state = 'pending' AND attempts <
max_attempts``), a wrong one is counted (``attempts = attempts + 1 WHERE state = 'pending'
AND attempts < max_attempts``) and burns the code at its last attempt. The ``WHERE``
re-checks the limit and the state in the same statement, so parallel guesses cannot exceed
the attempt limit and the row count says who won; no row means no attempt was left (or a
parallel request used or burned the code). Failed attempts are committed before the error
is raised, so a failing request still uses up its attempt.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from passgate.auth.context import AuthContext
from passgate.auth.intent_details import IntentDetails, intent_details_to_stored
from passgate.crypto.codes import code_matches, generate_code, hash_code
from passgate.errors import PassgateError, RateLimited, TooManyAttempts, WrongCode
from passgate.identifiers import new_opaque_id
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.storage import challenges_store
from passgate.storage.challenges_store import Challenge
from passgate.storage.database import Transaction

T = TypeVar("T")

FAILURE_WINDOW_MS = 24 * 3600 * 1000
BACKOFF_AFTER = 5  # failures (one code's worth) before waits begin
BACKOFF_FIRST_SECONDS, BACKOFF_MAX_SECONDS = 30, 15 * 60


def backoff_seconds(failures: int) -> int:
    """How long a login ID waits after its last failure: none for the first five, then
    30 s doubling to at most 15 minutes. The login ID is never locked for good."""
    if failures < BACKOFF_AFTER:
        return 0
    return int(min(BACKOFF_FIRST_SECONDS * 2 ** (failures - BACKOFF_AFTER), BACKOFF_MAX_SECONDS))


ANY_METHOD = "any"  # an embedded (management-generated) code verifies at any method's route


@dataclass(frozen=True)
class IssuedCode:
    challenge_id: str
    code: str


async def issue(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    *,
    login_id: str,
    user_id: str | None,
    purpose: str,
    method: Method | None,
    details: IntentDetails,
) -> IssuedCode:
    """Create a fresh code for ``login_id``, invalidating its earlier ones."""
    now_ms = ctx.now_ms()
    challenge_id = new_opaque_id()
    code = generate_code(project.settings.otp_length)
    await challenges_store.supersede_pending(tx, project.id, login_id)
    await challenges_store.insert_challenge(
        tx,
        Challenge(
            id=challenge_id,
            project_id=project.id,
            login_id=login_id,
            user_id=user_id,
            purpose=purpose,
            method=method.value if method else ANY_METHOD,
            code_hash=hash_code(ctx.secrets, challenge_id, code),
            state="pending",
            attempts=0,
            max_attempts=project.settings.otp_max_attempts,
            details=intent_details_to_stored(details),
            created_at_ms=now_ms,
            expires_at_ms=now_ms + project.settings.otp_expiry_seconds * 1000,
        ),
    )
    return IssuedCode(challenge_id=challenge_id, code=code)


async def has_pending(tx: Transaction, ctx: AuthContext, project: Project, login_id: str) -> bool:
    """Whether ``login_id`` has an unexpired pending code."""
    newest = await challenges_store.latest(tx, project.id, login_id)
    return newest is not None and newest.state == "pending" and newest.expires_at_ms > ctx.now_ms()


async def verify_and_consume(
    ctx: AuthContext,
    project: Project,
    *,
    login_id: str,
    method: Method,
    code: str,
    on_success: Callable[[Transaction, Challenge], Awaitable[T]],
) -> T:
    """Check ``code`` for ``login_id``; on success run ``on_success`` in the same transaction.

    Raises ``WrongCode`` (wrong, expired, used, none pending) or ``TooManyAttempts`` (this
    code burned, or the login ID over its daily failure budget).
    """
    async with ctx.db.transaction() as tx:
        failure, challenge = await _check(tx, ctx, project, login_id, method, code)
        if failure is None and challenge is not None:
            return await on_success(tx, challenge)
    assert failure is not None
    raise failure


async def _check(
    tx: Transaction, ctx: AuthContext, project: Project, login_id: str, method: Method, code: str
) -> tuple[PassgateError | None, Challenge | None]:
    now_ms = ctx.now_ms()
    challenge = await challenges_store.latest(tx, project.id, login_id)
    if challenge is not None and challenge.state == "burned":
        return TooManyAttempts("Too many attempts for this code; request a new one"), None
    if challenge is None or challenge.state != "pending" or challenge.method not in (method.value, ANY_METHOD):
        return WrongCode("No pending code for this login ID and method"), None
    if challenge.expires_at_ms <= now_ms:
        return WrongCode("The code has expired; request a new one"), None
    refused = await over_failure_budget(tx, project, login_id, now_ms)
    if refused is not None:
        return refused, None
    # The comparison is constant-time and touches no row; the row is then changed by one
    # guarded UPDATE either way, so parallel guesses cannot exceed the attempt limit.
    matches = code_matches(ctx.secrets, challenge.id, code, challenge.code_hash)
    if matches and await challenges_store.claim_and_consume(tx, challenge.id, now_ms):
        return None, challenge
    attempts = None if matches else await challenges_store.claim_attempt(tx, challenge.id)
    if attempts is None:  # no attempt left, or a parallel request used or burned the code
        return TooManyAttempts("Too many attempts for this code; request a new one"), None
    return await _record_wrong_code(tx, project, challenge, attempts, now_ms), None


async def judged_one_at_a_time(tx: Transaction, project: Project, login_id: str, now_ms: int) -> None:
    """Hold ``login_id``'s failure budget until the transaction ends: for a secret with no
    attempt of its own to claim (an authenticator app's code), parallel guesses are then
    judged one after another, so no more are compared than the budget allows. (A code sent
    by message needs none: its guarded attempt count bounds the guesses.)"""
    await challenges_store.hold_failures(tx, project.id, login_id, now_ms)


@dataclass(frozen=True)
class Budget:
    """Failed verifications allowed to one key (a login ID, or a client IP's) in the rolling
    day, and how many come before the back-off waits begin."""

    limit: int
    backoff_after: int = BACKOFF_AFTER


def login_budget(project: Project) -> Budget:
    return Budget(project.settings.max_failed_verifications)


async def over_failure_budget(
    tx: Transaction, project: Project, login_id: str, now_ms: int, budget: Budget | None = None
) -> PassgateError | None:
    """The refusal a login ID (or another key) has earned by its failed verifications (of
    codes, authenticator apps and passwords alike): ``TooManyAttempts`` over the rolling
    day's budget, ``RateLimited`` while it waits out its back-off; ``None`` if it may try."""
    budget = budget or login_budget(project)
    failures = await challenges_store.failures_in_window(tx, project.id, login_id, now_ms - FAILURE_WINDOW_MS)
    if failures.count >= budget.limit:
        return TooManyAttempts("Too many failed verifications for this login ID; try again later")
    waits = backoff_seconds(failures.count - budget.backoff_after + BACKOFF_AFTER)
    wait_ms = waits * 1000 - (now_ms - failures.last_at_ms)
    if wait_ms > 0:
        return RateLimited(math.ceil(wait_ms / 1000), "Too many failed verifications; wait before trying again")
    return None


async def count_failure(
    tx: Transaction, project: Project, login_id: str, now_ms: int, budget: Budget | None = None, event_id: str = ""
) -> PassgateError | None:
    """Count one failed verification of ``login_id`` (as ``event_id``, to take it back with
    ``forgive_failure`` when it is counted before the comparison); ``TooManyAttempts`` if a
    concurrent request spent the last of the budget first (exact under concurrency)."""
    limit = (budget or login_budget(project)).limit
    counted = await challenges_store.record_failure(
        tx, project.id, login_id, now_ms, FAILURE_WINDOW_MS, limit, event_id
    )
    if counted is None:
        return TooManyAttempts("Too many failed verifications for this login ID; try again later")
    return None


async def forgive_failure(tx: Transaction, event_id: str) -> None:
    """Take back a failure counted before a comparison that then matched."""
    await challenges_store.forget_failure(tx, event_id)


async def _record_wrong_code(
    tx: Transaction, project: Project, challenge: Challenge, attempts: int, now_ms: int
) -> PassgateError:
    over = await count_failure(tx, project, challenge.login_id, now_ms)
    if over is not None:
        return over
    if attempts >= challenge.max_attempts:
        await challenges_store.burn(tx, challenge.id)
        return WrongCode("Wrong code; no attempts left for this code, request a new one")
    return WrongCode(f"Wrong code ({challenge.max_attempts - attempts} attempts left)")
