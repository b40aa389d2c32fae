"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from ipaddress import ip_network
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from passgate import __version__
from passgate.clock import Clock
from passgate.config import Settings
from passgate.web import errors, routes
from passgate.web.bodycap import BodyCap
from passgate.wiring import build_runtime


def create_app(
    settings: Settings, *, clock: Clock | None = None, on_started: Callable[[], None] | None = None
) -> FastAPI:
    """The passgate app; the database opens when the server starts (lifespan), after which
    ``on_started`` runs (the server's garbage-collector tuning)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, clock)
        app.state.ctx = runtime.ctx
        app.state.runtime = runtime
        if settings.dispatcher:
            runtime.start_dispatcher()
        if on_started is not None:
            on_started()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="passgate",
        version=__version__,
        description="Self-hosted passwordless authentication speaking the Descope API.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        # passgate exports its own Prometheus metrics; FastAPI's OpenTelemetry hooks asked
        # for the global providers on every request (~5 % of a trivial request's CPU).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.trusted_proxies = tuple(ip_network(entry, strict=False) for entry in settings.trusted_proxies)
    routes.install(app)
    app.openapi = lambda: _openapi_without_422(app)  # type: ignore[method-assign]
    errors.install(app)
    app.add_middleware(BodyCap, max_bytes=settings.max_body_bytes)
    return app


def _openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents a 422 on every route; passgate answers 400 (Descope's codes) instead."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
