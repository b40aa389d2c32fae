"""The outbox dispatcher: claims due messages (leased), renders and sends them, records
the outcome.

Runs in-process by default (``passgate worker`` runs it alone). Several dispatchers may
drain one database: PostgreSQL claims with ``FOR UPDATE SKIP LOCKED``, SQLite claims
serialise on its write lock. A claimed batch is sent concurrently. Each message tries its
providers in order: a transient failure moves on to the next provider, a permanent one
(a refused address) fails the message; if every provider failed transiently the message
is retried later with exponential back-off and jitter, until ``max_attempts``.

Delivery is at least once. Claims carry this dispatcher's worker ID and a short lease,
renewed while the batch is worked on, so the messages of a killed worker are claimed
again within one lease. Each message's outcome is recorded as soon as its own send
returns, so a kill re-sends only the messages whose send had begun and whose outcome was
not yet committed (at most one batch); each carries its outbox ID for the receiver to
recognise the copy (``RenderedMessage.id``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from collections.abc import AsyncIterator

import structlog
from prometheus_client import Counter, Histogram

from passgate.clock import Clock
from passgate.crypto.sealing import Secrets
from passgate.delivery.messages import OutgoingMessage
from passgate.delivery.outbox import SEAL_CONTEXT
from passgate.delivery.routing import ProviderRouter
from passgate.delivery.senders import DeliveryFailed
from passgate.delivery.templates import Renderer, TemplateFailed
from passgate.errors import DatabaseUnavailable
from passgate.identifiers import new_opaque_id
from passgate.storage import challenges_store, links_store, outbox_store
from passgate.storage.database import Database, Transaction
from passgate.storage.group_commit import GroupCommit
from passgate.storage.outbox_store import OutboxMessage

log = structlog.get_logger("passgate.outbox")

OUTCOMES = Counter(
    "passgate_outbox_messages_total", "Outbox messages by final or interim outcome", ["channel", "outcome"]
)
LATENCY = Histogram(
    "passgate_outbox_delivery_seconds",
    "From enqueue to accepted by a provider",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with full jitter; give up after ``max_attempts``.

    A claim is leased for ``lease_seconds`` and renewed every fifth of that while its worker
    works on it: a killed worker's messages are claimable again within one lease, and a live
    one may stall for four fifths of it before another takes its messages over (and may
    send them twice; nothing is lost). One provider's send is abandoned after
    ``send_timeout_seconds`` (as a transient failure), so a hung send cannot hold its
    renewed claim forever.
    """

    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 600.0
    lease_seconds: float = 5.0
    send_timeout_seconds: float = 60.0

    @property
    def renew_seconds(self) -> float:
        """How often a worker renews the leases of the claims it holds."""
        return self.lease_seconds / 5

    def delay(self, attempts: int) -> float:
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)))  # noqa: S311


class Dispatcher:
    """Claims due messages and sends them through their channel's providers."""

    def __init__(
        self,
        db: Database,
        secrets: Secrets,
        clock: Clock,
        router: ProviderRouter,
        renderer: Renderer,
        *,
        poll_seconds: float = 0.5,
        batch: int = 32,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._db = db
        self._secrets = secrets
        self._clock = clock
        self._router = router
        self._renderer = renderer
        self._poll = poll_seconds
        self._batch = batch
        self._policy = policy or RetryPolicy()
        self._worker = new_opaque_id()  # names this dispatcher's claims (a new one each process)
        self._skip_locked = db.dialect == "postgresql"  # SQLite has one writer, no row locks
        self._wakeup = asyncio.Event()
        # Each outcome is written as soon as its own send returns (a crash then re-sends only
        # what was in flight); outcomes that finish together share a COMMIT.
        self._outcomes = GroupCommit(db, _write_outcome, "outbox outcome")

    def notify(self) -> None:
        """Wake the loop now (a message was just committed in this process)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Drain forever; each pass handles what is due, then waits for a wake-up or the poll."""
        log.info("outbox dispatcher running", worker=self._worker, lease_seconds=self._policy.lease_seconds)
        while True:
            try:
                while await self.drain_once():
                    pass
            except DatabaseUnavailable:
                # Expected during an outage, and frequent: one line, no traceback (rendering
                # one holds the event loop for tens of milliseconds).
                log.warning("outbox pass skipped: database unavailable")
            except Exception:
                log.exception("outbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll)
            self._wakeup.clear()

    async def drain_once(self) -> int:
        """Claim and process one batch; the number of messages handled."""
        async with self._db.transaction() as tx:
            claimed = await outbox_store.claim_due(
                tx,
                worker=self._worker,
                now_ms=self._now_ms(),
                lease_ms=self._lease_ms(),
                limit=self._batch,
                skip_locked=self._skip_locked,
            )
        if claimed:
            async with self._renewing_leases():
                wanted = await self._still_wanted(claimed)
                await asyncio.gather(*(self._process(message, message.id in wanted) for message in claimed))
        return len(claimed)

    @contextlib.asynccontextmanager
    async def _renewing_leases(self) -> AsyncIterator[None]:
        """Keep this worker's claims leased while the body runs."""
        renewer = asyncio.create_task(self._renew_leases_forever(), name="outbox-lease-renewal")
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def _renew_leases_forever(self) -> None:
        """Every ``renew_seconds``, extend the lease of each claim still held (messages whose
        outcome is recorded are no longer claims, so only those in flight are renewed)."""
        while True:
            await asyncio.sleep(self._policy.renew_seconds)
            try:
                async with self._db.transaction() as tx:
                    await outbox_store.renew_leases(
                        tx,
                        worker=self._worker,
                        now_ms=self._now_ms(),
                        lease_ms=self._lease_ms(),
                        skip_locked=self._skip_locked,
                    )
            except Exception:
                # The next beat tries again; a lease that runs out meanwhile lets another worker
                # send the message too (a duplicate, never a loss).
                log.exception("outbox lease renewal failed", worker=self._worker)

    async def _process(self, row: OutboxMessage, wanted: bool) -> None:
        if row.payload_sealed is None or not wanted:
            await self._finish(row, "dropped", "the code expired or was used before sending")
            return
        message = OutgoingMessage.from_payload(self._secrets.unseal(row.payload_sealed, SEAL_CONTEXT))
        try:
            rendered = self._renderer.render(message, row.id)
        except TemplateFailed as exc:
            await self._finish(row, "failed", str(exc))
            return
        providers = self._router.providers_for(row.channel, message.provider_ids)
        if not providers:
            await self._finish(
                row, "failed", f"no configured provider {list(message.provider_ids)} serves {row.channel}"
            )
            return
        reasons: list[str] = []
        for provider in providers:
            try:
                async with asyncio.timeout(self._policy.send_timeout_seconds):
                    await provider.sender.send(rendered)
            except DeliveryFailed as exc:
                reasons.append(f"{provider.id}: {exc}")
                if exc.permanent:
                    await self._finish(row, "failed", "; ".join(reasons))
                    return
                continue
            except TimeoutError:
                reasons.append(f"{provider.id}: no answer within {self._policy.send_timeout_seconds:g} s")
                continue
            except Exception as exc:  # noqa: BLE001 - an unexpected sender fault counts as transient
                reasons.append(f"{provider.id}: {type(exc).__name__}")
                continue
            await self._finish(row, "sent", "; ".join(reasons) or None, provider=provider.id)
            return
        await self._retry_or_give_up(row, "; ".join(reasons))

    async def _still_wanted(self, rows: list[OutboxMessage]) -> set[str]:
        """The IDs of the messages still worth sending: no secret, or one still pending and
        unexpired (a code or link token used or expired meanwhile is dropped unsent)."""
        secrets = [row.challenge_id for row in rows if row.challenge_id is not None]
        now_ms = self._now_ms()
        async with self._db.transaction(write=False) as tx:
            live = await challenges_store.usable_among(tx, secrets, now_ms)
            if len(live) < len(secrets):
                live |= await links_store.usable_among(tx, [s for s in secrets if s not in live], now_ms)
        return {row.id for row in rows if row.challenge_id is None or row.challenge_id in live}

    async def _retry_or_give_up(self, row: OutboxMessage, reason: str) -> None:
        if row.attempts >= self._policy.max_attempts:
            await self._finish(row, "failed", f"gave up after {row.attempts} attempts: {reason}")
            return
        retry_at = self._now_ms() + int(self._policy.delay(row.attempts) * 1000)
        async with self._db.transaction() as tx:
            scheduled = await outbox_store.schedule_retry(tx, row.id, retry_at, reason, worker=self._worker)
        if not scheduled:
            _log_lost_claim(row.id, self._worker)
            return
        OUTCOMES.labels(row.channel, "retry").inc()
        log.info("message retry scheduled", channel=row.channel, outbox_id=row.id, attempts=row.attempts)

    async def _finish(self, row: OutboxMessage, state: str, error: str | None, *, provider: str = "") -> None:
        if not await self._outcomes.write(_Outcome(row.id, self._worker, state, self._now_ms(), error)):
            return  # logged by the group commit; the lease expires and the message is tried again
        OUTCOMES.labels(row.channel, state).inc()
        if state == "sent":
            LATENCY.labels(row.channel).observe(max(0.0, self._clock.now() - row.created_at_ms / 1000))
        level = log.warning if state == "failed" else log.info
        level(f"message {state}", channel=row.channel, outbox_id=row.id, attempts=row.attempts, provider=provider)

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)

    def _lease_ms(self) -> int:
        return int(self._policy.lease_seconds * 1000)


@dataclasses.dataclass(frozen=True)
class _Outcome:
    message_id: str
    worker: str
    state: str
    now_ms: int
    error: str | None


async def _write_outcome(tx: Transaction, outcome: _Outcome) -> None:
    finished = await outbox_store.finish(
        tx, outcome.message_id, outcome.state, outcome.now_ms, outcome.error, worker=outcome.worker
    )
    if not finished:
        _log_lost_claim(outcome.message_id, outcome.worker)


def _log_lost_claim(message_id: str, worker: str) -> None:
    """The worker stalled past its lease and another took the message: that one records the
    outcome, and the receiver may have got it twice."""
    log.warning("outcome not recorded: the claim passed to another worker", outbox_id=message_id, worker=worker)
