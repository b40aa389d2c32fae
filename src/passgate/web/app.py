"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from passgate import __version__
from passgate.clock import Clock
from passgate.config import Settings
from passgate.web import errors, routes
from passgate.web.bodycap import BodyCap
from passgate.wiring import build_runtime


def create_app(settings: Settings, *, clock: Clock | None = None, run_dispatcher: bool = True) -> FastAPI:
    """The passgate app; the database opens when the server starts (lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, clock)
        app.state.ctx = runtime.ctx
        app.state.runtime = runtime
        if run_dispatcher:
            runtime.start_dispatcher()
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
    )
    app.include_router(routes.router())
    errors.install(app)
    app.add_middleware(BodyCap, max_bytes=settings.max_body_bytes)
    return app
