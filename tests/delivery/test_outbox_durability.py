"""The outbox loses nothing when a worker dies, hands a dead worker's messages to another
within seconds, and parallel workers never double-send.

Messages are queued through passgate's own enqueue; ``passgate worker`` processes deliver
them to a loopback webhook receiver that counts deliveries per message ID, or to a
loopback SMTP relay that can hold its answers (a send in flight).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.delivery import outbox
from passgate.delivery.messages import OutgoingMessage
from passgate.storage import outbox_store
from passgate.storage.connect import open_database
from passgate.wiring import load_secrets
from tests.fakes import Mailbox, WebhookReceiver, smtp_server
from tests.support import database_url, make_project, wait_until

MESSAGES = 1000
BATCH = 32
SECRET = "durability-secret"
FROM_DOMAIN = "acme.test"
# Fast polling and a short lease keep the durability runs short; the kill-and-reclaim
# runs below use the shipped defaults, since their delay is the figure they measure.
FAST = {"PASSGATE_OUTBOX_LEASE_SECONDS": "2", "PASSGATE_OUTBOX_POLL_SECONDS": "0.05"}


def sms(number: int) -> OutgoingMessage:
    return _code_message("sms", f"+1415555{number:04d}", f"user{number}", number)


def mail(number: int) -> OutgoingMessage:
    address = f"user{number}@example.test"
    return _code_message("email", address, address, number)


def _code_message(channel: str, to: str, login_id: str, number: int) -> OutgoingMessage:
    """A sign-in code message, the code telling the messages apart."""
    return OutgoingMessage(
        channel=channel, to=to, purpose="signin", login_id=login_id, project_name="durability", code=f"{number:06d}"
    )


async def _enqueue(settings: Settings, project_id: str, messages: list[OutgoingMessage]) -> list[str]:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    secrets, now_ms = load_secrets(settings), int(SystemClock().now() * 1000)
    try:
        async with db.transaction() as tx:
            return [
                await outbox.enqueue(tx, secrets, project_id=project_id, secret_id=None, message=message, now_ms=now_ms)
                for message in messages
            ]
    finally:
        await db.close()


async def _states(settings: Settings) -> dict[str, int]:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        async with db.transaction(write=False) as tx:
            return await outbox_store.count_by_state(tx)
    finally:
        await db.close()


def sent_count(settings: Settings) -> int:
    return asyncio.run(_states(settings)).get("sent", 0)


def webhook_env(url: str) -> dict[str, str]:
    return {"PASSGATE_WEBHOOK_URL": url, "PASSGATE_WEBHOOK_SECRET": SECRET}


def smtp_env(port: int) -> dict[str, str]:
    return {"PASSGATE_SMTP_URL": f"smtp://127.0.0.1:{port}", "PASSGATE_EMAIL_FROM": f"auth@{FROM_DOMAIN}"}


@contextmanager
def worker(settings: Settings, provider: dict[str, str], tuning: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """A ``passgate worker`` process delivering through ``provider`` (environment variables)."""
    env = {
        **os.environ,
        "PASSGATE_DATA_DIR": str(settings.data_dir),
        "PASSGATE_DATABASE_URL": settings.resolved_database_url(),
        "PASSGATE_OUTBOX_BATCH": str(BATCH),
        "PASSGATE_LOG_LEVEL": "warning",
        **provider,
        **tuning,
    }
    process = subprocess.Popen([sys.executable, "-m", "passgate", "worker"], env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


@contextmanager
def queued(backend: str, tmp_path: Path, messages: list[OutgoingMessage]) -> Iterator[tuple[Settings, list[str]]]:
    """A fresh database with a project and ``messages`` queued; yields their outbox IDs too."""
    with database_url(backend, tmp_path) as url:
        settings = Settings(data_dir=tmp_path, database_url=url)
        project = make_project(settings).project
        yield settings, asyncio.run(_enqueue(settings, project.id, messages))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_mid_dispatch_loses_nothing(backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    receiver = WebhookReceiver(SECRET, delay=0.005)
    with receiver.running() as url, queued(backend, tmp_path, [sms(n) for n in range(MESSAGES)]) as (settings, _):
        with worker(settings, webhook_env(url), FAST) as first:
            wait_until(lambda: len(receiver.counts()) >= MESSAGES // 3, timeout=60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        at_kill = len(receiver.counts())
        assert at_kill < MESSAGES, "the worker finished before it could be killed"
        with worker(settings, webhook_env(url), FAST):
            wait_until(lambda: len(receiver.counts()) == MESSAGES, timeout=120)
            wait_until(lambda: sent_count(settings) == MESSAGES, timeout=30)
        counts = receiver.counts()
    duplicates = sum(counts.values()) - len(counts)
    with capsys.disabled():
        print(f"\n[{backend}] killed after {at_kill} delivered; all {MESSAGES} delivered; {duplicates} duplicate(s)")
    assert len(counts) == MESSAGES
    assert duplicates <= BATCH  # at most the batch that was in flight at the kill
    assert receiver.bad_signatures == 0
    assert receiver.key_mismatches == 0  # every copy names its message for the receiver


def test_two_workers_on_postgres_never_double_send(tmp_path: Path) -> None:
    receiver = WebhookReceiver(SECRET, delay=0.002)
    with receiver.running() as url, queued("postgres", tmp_path, [sms(n) for n in range(MESSAGES)]) as (settings, _):
        with worker(settings, webhook_env(url), FAST), worker(settings, webhook_env(url), FAST):
            wait_until(lambda: len(receiver.counts()) == MESSAGES, timeout=120)
            wait_until(lambda: sent_count(settings) == MESSAGES, timeout=30)
            time.sleep(0.5)  # let any stray duplicate land before counting
        counts = receiver.counts()
    assert len(counts) == MESSAGES
    assert max(counts.values()) == 1


# --- a worker killed with messages in flight -------------------------------------------------
ANSWERED = 8  # of the one claimed batch, how many the relay answers before the kill


@dataclass(frozen=True)
class KilledRun:
    """What the relay saw: one batch claimed by a worker, ``ANSWERED`` of its messages
    answered, the rest held in flight when the worker was killed with SIGKILL and a second
    worker took them over (shipped lease and poll)."""

    backend: str
    outbox_ids: dict[str, str]  # recipient → outbox ID
    copies: dict[str, list[EmailMessage]]  # recipient → every copy the relay received
    answered: frozenset[str]  # recipients answered before the kill
    delay: float  # seconds from the kill until the last held message arrived again


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def killed_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KilledRun:
    backend = str(request.param)
    mailbox = Mailbox(answer_first=ANSWERED)
    messages = [mail(n) for n in range(BATCH)]
    with (
        smtp_server(mailbox) as (_, port),
        queued(backend, tmp_path_factory.mktemp(f"killed-{backend}"), messages) as (settings, ids),
        worker(settings, smtp_env(port), {}) as first,
    ):
        wait_until(lambda: len(mailbox.messages) == BATCH, timeout=30)  # the whole batch is in flight
        wait_until(lambda: sent_count(settings) == ANSWERED)  # and the answered part recorded
        answered = frozenset(str(m["To"]) for m in mailbox.messages[:ANSWERED])
        with worker(settings, smtp_env(port), {}):
            first.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            first.wait(timeout=10)
            mailbox.release()  # the relay answers again (the killed worker is not listening)
            wait_until(lambda: len(mailbox.messages) == 2 * BATCH - ANSWERED, timeout=20)
            delay = mailbox.received_at[-1] - killed_at
            wait_until(lambda: sent_count(settings) == BATCH)
            time.sleep(0.5)  # let any stray duplicate land before counting
    copies: dict[str, list[EmailMessage]] = {}
    for message in mailbox.messages:
        copies.setdefault(str(message["To"]), []).append(message)
    return KilledRun(backend, {m.to: i for m, i in zip(messages, ids, strict=True)}, copies, answered, delay)


def test_a_killed_workers_messages_go_out_within_seconds(
    killed_run: KilledRun, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        print(f"\n[{killed_run.backend}] delivery delay after kill -9: {killed_run.delay:.1f} s")
    assert killed_run.delay < 20  # a 60 s lease made users wait over a minute


def test_only_the_messages_in_flight_at_the_kill_are_sent_twice(killed_run: KilledRun) -> None:
    counts = Counter({to: len(copies) for to, copies in killed_run.copies.items()})
    assert set(counts) == set(killed_run.outbox_ids)  # every message delivered
    assert {counts[to] for to in killed_run.answered} == {1}  # recorded as sent: never again
    assert {counts[to] for to in set(counts) - killed_run.answered} == {2}  # in flight: once more
    assert counts.total() - len(counts) == BATCH - ANSWERED


def test_a_resent_email_keeps_its_message_id(killed_run: KilledRun) -> None:
    for to, copies in killed_run.copies.items():
        assert {str(m["Message-ID"]) for m in copies} == {f"<{killed_run.outbox_ids[to]}@{FROM_DOMAIN}>"}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_send_slower_than_the_lease_is_not_taken_over(backend: str, tmp_path: Path) -> None:
    """The lease is renewed while the worker holds the claim, so a second worker waits."""
    mailbox = Mailbox(answer_first=0)
    short = {"PASSGATE_OUTBOX_LEASE_SECONDS": "1", "PASSGATE_OUTBOX_POLL_SECONDS": "0.05"}
    messages = [mail(n) for n in range(8)]
    with (
        smtp_server(mailbox) as (_, port),
        queued(backend, tmp_path, messages) as (settings, _),
        worker(settings, smtp_env(port), short),
        worker(settings, smtp_env(port), short),
    ):
        wait_until(lambda: len(mailbox.messages) == len(messages), timeout=30)
        time.sleep(3)  # three leases long
        held = len(mailbox.messages)
        mailbox.release()
        wait_until(lambda: sent_count(settings) == len(messages))
        time.sleep(0.3)
    assert held == len(messages)
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(m.to for m in messages)
