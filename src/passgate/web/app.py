"""The ASGI application: the route table served by Starlette, errors rendered once,
bodies capped, CORS answered. What the routes work on (the flows' context, the probes) is opened by the
``start`` that ``wiring`` hands in, when the server starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from ipaddress import ip_network
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route as StarletteRoute

from passgate import __version__
from passgate.auth.context import AuthContext
from passgate.web import errors, openapi, routes
from passgate.web.bodycap import BodyCap
from passgate.web.contained_errors import ContainedErrors
from passgate.web.cors import Cors
from passgate.web.health import Probes

TITLE = "passgate"
DESCRIPTION = "Self-hosted passwordless authentication speaking the Descope API."


class Running(Protocol):
    """What a started server holds open."""

    @property
    def ctx(self) -> AuthContext: ...

    @property
    def probes(self) -> Probes: ...

    async def close(self) -> None: ...


def create_app(
    start: Callable[[], Awaitable[Running]],
    *,
    max_body_bytes: int,
    trusted_proxies: tuple[str, ...] = (),
    on_started: Callable[[], None] | None = None,
) -> Starlette:
    """The passgate app; ``start`` runs when the server starts (lifespan), after which
    ``on_started`` runs (the server's garbage-collector tuning)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        running = await start()
        app.state.ctx, app.state.probes = running.ctx, running.probes
        if on_started is not None:
            on_started()
        try:
            yield
        finally:
            await running.close()

    document = openapi_document()

    async def openapi_json(_: Request) -> JSONResponse:
        return JSONResponse(document)

    app = Starlette(
        routes=[*routes.starlette_routes(), StarletteRoute("/openapi.json", openapi_json, methods=["GET"])],
        # CORS outermost, so every answer gets its headers: the routes', the exception
        # handlers' errors, BodyCap's 413 and the 500 of ContainedErrors alike.
        middleware=[Middleware(Cors), Middleware(ContainedErrors), Middleware(BodyCap, max_bytes=max_body_bytes)],
        exception_handlers=errors.exception_handlers(),
        lifespan=lifespan,
    )
    app.state.trusted_proxies = tuple(ip_network(entry, strict=False) for entry in trusted_proxies)
    return app


def openapi_document() -> dict[str, Any]:
    """``/openapi.json`` without a server (for tests and tooling)."""
    return openapi.document(routes.ROUTES, TITLE, __version__, DESCRIPTION)
