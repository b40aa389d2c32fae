"""Cap request bodies before anything reads them (ASGI middleware).

A declared ``Content-Length`` over the cap is refused at once; a chunked body is counted
as it streams and refused when it crosses the cap. Batch management routes get a larger
cap (a thousand users do not fit in 64 KiB), and so does the user import.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passgate.errors import PayloadTooLarge
from passgate.web.errors import error_body

BATCH_FACTOR = 64  # batch routes may carry 64x the cap (4 MiB by default)
IMPORT_PATH = "/v1/mgmt/user/import"  # a batch too (bigger files: ``passgate user import``)


class BodyCap:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max = max_bytes

    def _cap_for(self, scope: Scope) -> int:
        path = str(scope.get("path", ""))
        return (
            self._max * BATCH_FACTOR
            if path.startswith(("/v1/mgmt/", "/v2/mgmt/")) and ("/batch" in path or path == IMPORT_PATH)
            else self._max
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        cap = self._cap_for(scope)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _refuse(send, cap)
            return
        await self._app(scope, self._counting(receive, cap), send)

    def _counting(self, receive: Receive, cap: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise PayloadTooLarge(f"Request body exceeds {cap} bytes")
            return message

        return counted


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(error_body(PayloadTooLarge(f"Request body exceeds {limit} bytes"))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
