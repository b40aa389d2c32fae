"""The one place that picks concrete backends and senders from configuration."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from passgate.auth.context import AuthContext
from passgate.auth.keyring import KeyRing
from passgate.auth.projects import ProjectDirectory
from passgate.clock import Clock, SystemClock
from passgate.config import Settings
from passgate.crypto.sealing import Secrets, load_or_create_master_secret
from passgate.delivery.dispatcher import Dispatcher
from passgate.delivery.senders import ConsoleSender, DiscardSender, FileSender, Sender
from passgate.storage.connect import open_database
from passgate.storage.database import Database

CHANNELS = ("email", "sms", "voice", "whatsapp")


def load_secrets(settings: Settings) -> Secrets:
    """The derived keys, from the configured master secret or the data directory's."""
    return Secrets(load_or_create_master_secret(settings.secret_key, settings.data_dir / "secret.key"))


def development_senders(settings: Settings) -> Mapping[str, Sender]:
    """The same development sender for every channel, as ``PASSGATE_DELIVERY`` says."""
    sender: Sender
    if settings.delivery == "file":
        sender = FileSender(settings.resolved_delivery_file())
    elif settings.delivery == "none":
        sender = DiscardSender()
    else:
        sender = ConsoleSender()
    return dict.fromkeys(CHANNELS, sender)


@dataclass
class Runtime:
    """Everything a serving process holds open."""

    db: Database
    ctx: AuthContext
    dispatcher: Dispatcher
    dispatcher_task: asyncio.Task[None] | None = None

    def start_dispatcher(self) -> None:
        self.dispatcher_task = asyncio.create_task(self.dispatcher.run(), name="outbox-dispatcher")

    async def close(self) -> None:
        if self.dispatcher_task is not None:
            self.dispatcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.dispatcher_task
        await self.db.close()


async def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Open the database and assemble the flows' context and the outbox dispatcher."""
    clock = clock or SystemClock()
    secrets = load_secrets(settings)
    db = await open_database(settings.resolved_database_url(), pool_size=settings.db_pool_size)
    dispatcher = Dispatcher(
        db, secrets, clock, development_senders(settings), poll_seconds=settings.outbox_poll_seconds
    )
    ctx = AuthContext(
        db=db,
        secrets=secrets,
        clock=clock,
        keyring=KeyRing(db, secrets, clock),
        projects=ProjectDirectory(db, clock, settings.project_cache_seconds),
        notify_outbox=dispatcher.notify,
    )
    return Runtime(db=db, ctx=ctx, dispatcher=dispatcher)
