"""An unexpected error costs one answer, not the connection (ASGI middleware).

Starlette hands an exception no handler claims to its outermost layer, which answers 500
and then re-raises it to the server; uvicorn then closes the keep-alive connection without
a ``Connection: close``, so the client's next request on it fails with a reset. This layer
sits inside that one: an exception raised before the answer started is logged (type and
path, never the body) and answered ``E010001`` like any other Descope error, and the
request ends normally, so the connection stays usable. Once an answer has started, the
exception goes on to the server, which must then drop the half-sent answer's connection.
"""

from __future__ import annotations

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passgate.errors import InternalError
from passgate.web.errors import error_response

log = structlog.get_logger("passgate.web")


class ContainedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, watched)
        except Exception as exc:
            if started:
                raise
            log.error("unhandled error", path=scope.get("path", ""), error_type=type(exc).__name__, exc_info=exc)
            await error_response(InternalError())(scope, receive, send)
