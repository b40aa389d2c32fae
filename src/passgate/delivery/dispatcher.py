"""The outbox dispatcher: claims due messages (leased), sends them, records the outcome.

Runs in-process by default; several dispatchers may run against one database (PostgreSQL
claims with ``FOR UPDATE SKIP LOCKED``; on SQLite claims serialise on the write lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
from collections.abc import Mapping

import structlog

from passgate.clock import Clock
from passgate.crypto.sealing import Secrets
from passgate.delivery.messages import OutgoingMessage, render
from passgate.delivery.outbox import SEAL_CONTEXT
from passgate.delivery.senders import DeliveryFailed, Sender
from passgate.storage import challenges_store, links_store, outbox_store
from passgate.storage.database import Database
from passgate.storage.outbox_store import OutboxMessage

log = structlog.get_logger("passgate.outbox")


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with full jitter; give up after ``max_attempts``."""

    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 600.0
    lease_seconds: float = 60.0

    def delay(self, attempts: int) -> float:
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)))  # noqa: S311


class Dispatcher:
    """Claims due messages and sends them through the sender of their channel."""

    def __init__(
        self,
        db: Database,
        secrets: Secrets,
        clock: Clock,
        senders: Mapping[str, Sender],
        *,
        poll_seconds: float = 0.5,
        batch: int = 32,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._db = db
        self._secrets = secrets
        self._clock = clock
        self._senders = senders
        self._poll = poll_seconds
        self._batch = batch
        self._policy = policy or RetryPolicy()
        self._wakeup = asyncio.Event()

    def notify(self) -> None:
        """Wake the loop now (a message was just committed in this process)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Drain forever; each pass handles what is due, then waits for a wake-up or the poll."""
        while True:
            try:
                while await self.drain_once():
                    pass
            except Exception:
                log.exception("outbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll)
            self._wakeup.clear()

    async def drain_once(self) -> int:
        """Claim and process one batch; the number of messages handled."""
        now_ms = self._now_ms()
        async with self._db.transaction() as tx:
            claimed = await outbox_store.claim_due(
                tx,
                now_ms=now_ms,
                lease_ms=int(self._policy.lease_seconds * 1000),
                limit=self._batch,
                skip_locked=self._db.dialect == "postgresql",
            )
        for message in claimed:
            await self._process(message)
        return len(claimed)

    async def _process(self, row: OutboxMessage) -> None:
        if row.payload_sealed is None or not await self._still_wanted(row):
            await self._finish(row.id, "dropped", "the code expired or was used before sending")
            return
        message = OutgoingMessage(**json.loads(self._secrets.unseal(row.payload_sealed, SEAL_CONTEXT)))
        sender = self._senders.get(row.channel)
        if sender is None:
            await self._finish(row.id, "failed", f"no sender configured for {row.channel}")
            return
        try:
            await sender.send(render(message))
        except DeliveryFailed as exc:
            await self._failed(row, str(exc), permanent=exc.permanent)
            return
        except Exception as exc:  # noqa: BLE001 - an unexpected sender fault is retried
            await self._failed(row, f"{type(exc).__name__}: {exc}", permanent=False)
            return
        await self._finish(row.id, "sent", None)
        log.info("message sent", channel=row.channel, outbox_id=row.id, attempts=row.attempts)

    async def _still_wanted(self, row: OutboxMessage) -> bool:
        if row.challenge_id is None:
            return True
        now_ms = self._now_ms()
        async with self._db.transaction(write=False) as tx:
            return await challenges_store.is_usable(tx, row.challenge_id, now_ms) or await links_store.is_usable(
                tx, row.challenge_id, now_ms
            )

    async def _failed(self, row: OutboxMessage, reason: str, *, permanent: bool) -> None:
        if permanent or row.attempts >= self._policy.max_attempts:
            await self._finish(row.id, "failed", reason)
            log.warning("message failed", channel=row.channel, outbox_id=row.id, reason=reason)
            return
        retry_at = self._now_ms() + int(self._policy.delay(row.attempts) * 1000)
        async with self._db.transaction() as tx:
            await outbox_store.schedule_retry(tx, row.id, retry_at, reason)
        log.info("message retry scheduled", channel=row.channel, outbox_id=row.id, attempts=row.attempts)

    async def _finish(self, message_id: str, state: str, error: str | None) -> None:
        async with self._db.transaction() as tx:
            await outbox_store.finish(tx, message_id, state, self._now_ms(), error)

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)
