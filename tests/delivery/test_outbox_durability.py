"""The outbox loses nothing when a worker dies, and parallel workers never double-send.

Messages are queued through passgate's own enqueue; ``passgate worker`` processes deliver
them to a loopback webhook receiver that counts deliveries per message ID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.delivery import outbox
from passgate.delivery.messages import OutgoingMessage
from passgate.storage import outbox_store
from passgate.storage.connect import open_database
from passgate.wiring import load_secrets
from tests.fakes import WebhookReceiver
from tests.support import database_url, make_project, wait_until

MESSAGES = 1000
BATCH = 32
SECRET = "durability-secret"


async def _enqueue(settings: Settings, project_id: str, count: int) -> None:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    secrets, now_ms = load_secrets(settings), int(SystemClock().now() * 1000)
    try:
        async with db.transaction() as tx:
            for number in range(count):
                message = OutgoingMessage(
                    channel="sms",
                    to=f"+1415555{number:04d}",
                    purpose="signin",
                    login_id=f"user{number}",
                    project_name="durability",
                    code=f"{number:06d}",
                )
                await outbox.enqueue(tx, secrets, project_id=project_id, secret_id=None, message=message, now_ms=now_ms)
    finally:
        await db.close()


async def _states(settings: Settings) -> dict[str, int]:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        async with db.transaction(write=False) as tx:
            return await outbox_store.count_by_state(tx)
    finally:
        await db.close()


@contextmanager
def worker(settings: Settings, webhook_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PASSGATE_DATA_DIR": str(settings.data_dir),
        "PASSGATE_DATABASE_URL": settings.resolved_database_url(),
        "PASSGATE_WEBHOOK_URL": webhook_url,
        "PASSGATE_WEBHOOK_SECRET": SECRET,
        "PASSGATE_OUTBOX_LEASE_SECONDS": "2",
        "PASSGATE_OUTBOX_POLL_SECONDS": "0.05",
        "PASSGATE_OUTBOX_BATCH": str(BATCH),
        "PASSGATE_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen([sys.executable, "-m", "passgate", "worker"], env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


@contextmanager
def queued(backend: str, tmp_path: Path) -> Iterator[Settings]:
    """A fresh database with a project and ``MESSAGES`` queued messages."""
    with database_url(backend, tmp_path) as url:
        settings = Settings(data_dir=tmp_path, database_url=url)
        project = make_project(settings).project
        asyncio.run(_enqueue(settings, project.id, MESSAGES))
        yield settings


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_mid_dispatch_loses_nothing(backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    receiver = WebhookReceiver(SECRET, delay=0.005)
    with receiver.running() as url, queued(backend, tmp_path) as settings:
        with worker(settings, url) as first:
            wait_until(lambda: len(receiver.counts()) >= MESSAGES // 3, timeout=60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        at_kill = len(receiver.counts())
        assert at_kill < MESSAGES, "the worker finished before it could be killed"
        with worker(settings, url):
            wait_until(lambda: len(receiver.counts()) == MESSAGES, timeout=120)
            wait_until(lambda: asyncio.run(_states(settings)).get("sent") == MESSAGES, timeout=30)
        counts = receiver.counts()
    duplicates = sum(counts.values()) - len(counts)
    with capsys.disabled():
        print(f"\n[{backend}] killed after {at_kill} delivered; all {MESSAGES} delivered; {duplicates} duplicate(s)")
    assert len(counts) == MESSAGES
    assert duplicates <= BATCH  # at most the batch that was in flight at the kill
    assert receiver.bad_signatures == 0


def test_two_workers_on_postgres_never_double_send(tmp_path: Path) -> None:
    receiver = WebhookReceiver(SECRET, delay=0.002)
    with receiver.running() as url, queued("postgres", tmp_path) as settings:
        with worker(settings, url), worker(settings, url):
            wait_until(lambda: len(receiver.counts()) == MESSAGES, timeout=120)
            wait_until(lambda: asyncio.run(_states(settings)).get("sent") == MESSAGES, timeout=30)
            time.sleep(0.5)  # let any stray duplicate land before counting
        counts = receiver.counts()
    assert len(counts) == MESSAGES
    assert max(counts.values()) == 1
