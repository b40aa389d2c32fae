"""The one place that picks concrete backends and senders from configuration."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.applications import Starlette

from passgate.auth.context import AuthContext
from passgate.auth.keyring import KeyRing
from passgate.auth.oauth_providers import ProviderClient
from passgate.auth.password_hashing import PasswordHashing
from passgate.auth.projects import ProjectDirectory
from passgate.auth.ratelimits import RateLimiter
from passgate.auth.served_origins import ServedOrigins
from passgate.clock import Clock, SystemClock
from passgate.config import CHANNELS, ProviderConfig, Settings
from passgate.crypto.password_hashes import Argon2Parameters
from passgate.crypto.sealing import Secrets, load_or_create_master_secret
from passgate.delivery.dispatcher import Dispatcher, RetryPolicy
from passgate.delivery.outbox import queue_counts
from passgate.delivery.routing import Provider, ProviderRouter
from passgate.delivery.senders import ConsoleSender, DiscardSender, FileSender, Sender
from passgate.delivery.smtp import SmtpSender
from passgate.delivery.templates import Renderer
from passgate.delivery.twilio import TwilioSender
from passgate.delivery.webhook import WebhookSender
from passgate.storage import audit_store
from passgate.storage.connect import open_database
from passgate.storage.database import Database
from passgate.storage.group_commit import GroupCommit
from passgate.web import app as web_app
from passgate.web.health import Probes


def load_secrets(settings: Settings) -> Secrets:
    """The derived keys, from the configured master secret or the data directory's."""
    return Secrets(load_or_create_master_secret(settings.secret_key, settings.data_dir / "secret.key"))


def development_sender(settings: Settings) -> Sender:
    """The sender for channels with no provider, as ``PASSGATE_DELIVERY`` says."""
    if settings.delivery == "file":
        return FileSender(settings.resolved_delivery_file())
    if settings.delivery == "none":
        return DiscardSender()
    return ConsoleSender()


def build_sender(config: ProviderConfig, settings: Settings, http: httpx.AsyncClient, clock: Clock) -> Sender:
    """A sender for one configured provider."""
    if config.type == "smtp":
        return SmtpSender(config.url, config.from_address or settings.email_from, config.from_name)
    if config.type == "twilio":
        return TwilioSender(
            http,
            account_sid=config.account_sid,
            auth_token=config.auth_token,
            from_number=config.from_number,
            whatsapp_from=config.whatsapp_from,
            base_url=config.base_url,
        )
    if config.type == "webhook":
        return WebhookSender(http, clock, url=config.url, secret=config.secret)
    if config.type == "file":
        return FileSender(settings.data_dir / (config.path or "outbox.jsonl"))
    if config.type == "none":
        return DiscardSender()
    return ConsoleSender()


def build_router(settings: Settings, http: httpx.AsyncClient, clock: Clock) -> ProviderRouter:
    providers = [
        Provider(
            id=config.id,
            channels=frozenset(c for c in CHANNELS if config.serves(c)),
            sender=build_sender(config, settings, http, clock),
        )
        for config in settings.all_providers()
    ]
    return ProviderRouter(providers, development_sender(settings))


def build_dispatcher(
    settings: Settings, db: Database, secrets: Secrets, clock: Clock, http: httpx.AsyncClient
) -> Dispatcher:
    return Dispatcher(
        db,
        secrets,
        clock,
        build_router(settings, http, clock),
        Renderer(settings.template_dir, settings.default_locale),
        poll_seconds=settings.outbox_poll_seconds,
        batch=settings.outbox_batch,
        policy=RetryPolicy(
            max_attempts=settings.outbox_max_attempts,
            base_seconds=settings.outbox_retry_base_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            send_timeout_seconds=settings.outbox_send_timeout_seconds,
        ),
    )


@dataclass
class Runtime:
    """Everything a serving process holds open."""

    db: Database
    ctx: AuthContext
    dispatcher: Dispatcher
    http: httpx.AsyncClient
    dispatcher_task: asyncio.Task[None] | None = None

    @property
    def probes(self) -> Probes:
        return Probes(ready=self.db.ping, queue_counts=lambda: queue_counts(self.db))

    def start_dispatcher(self) -> None:
        self.dispatcher_task = asyncio.create_task(self.dispatcher.run(), name="outbox-dispatcher")

    async def close(self) -> None:
        if self.dispatcher_task is not None:
            self.dispatcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.dispatcher_task
        await self.http.aclose()  # the providers' client too (``ctx.oauth`` uses this one)
        await self.ctx.audit_log.drain()
        await self.ctx.origins.close()
        await self.db.close()


def build_limiter(settings: Settings) -> RateLimiter:
    """Rate-limit counters in Redis when configured (shared by instances), else in memory."""
    if not settings.redis_url:
        return RateLimiter()
    url = "async+" + settings.redis_url.removeprefix("async+")
    return RateLimiter(
        MovingWindowRateLimiter(RedisStorage(url, implementation="redispy", key_prefix=settings.redis_prefix))
    )


async def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Open the database and assemble the flows' context and the outbox dispatcher."""
    clock = clock or SystemClock()
    secrets = load_secrets(settings)
    db = await open_database(settings.resolved_database_url(), pool_size=settings.db_pool_size)
    http = httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
    dispatcher = build_dispatcher(settings, db, secrets, clock, http)
    ctx = AuthContext(
        db=db,
        secrets=secrets,
        clock=clock,
        keyring=KeyRing(db, secrets, clock, settings.key_cache_seconds),
        projects=ProjectDirectory(db, clock, settings.project_cache_seconds),
        origins=ServedOrigins(db, clock, settings.project_cache_seconds),
        notify_outbox=dispatcher.notify,
        limiter=build_limiter(settings),
        audit_log=GroupCommit(db, audit_store.insert, "audit event"),
        passwords=PasswordHashing(
            Argon2Parameters(
                memory_kib=settings.password_hash_memory_kib,
                time_cost=settings.password_hash_time_cost,
                parallelism=settings.password_hash_parallelism,
            ),
            settings.password_hash_workers,
        ),
        oauth=ProviderClient(http=http),  # providers' calls share the process's HTTP client
        public_url=(settings.public_url or "").rstrip("/"),
    )
    return Runtime(db=db, ctx=ctx, dispatcher=dispatcher, http=http)


def create_app(
    settings: Settings, *, clock: Clock | None = None, on_started: Callable[[], None] | None = None
) -> Starlette:
    """The passgate app over the configured database and senders (opened when it starts;
    the dispatcher runs in it unless ``settings.dispatcher`` is off)."""

    async def start() -> Runtime:
        runtime = await build_runtime(settings, clock)
        await runtime.ctx.origins.refresh()  # so the first preflight is judged by every project's origins
        if settings.dispatcher:
            runtime.start_dispatcher()
        return runtime

    return web_app.create_app(
        start,
        max_body_bytes=settings.max_body_bytes,
        trusted_proxies=tuple(settings.trusted_proxies),
        on_started=on_started,
    )
