"""The HTTP plumbing of the loopback identity providers (GitHub, the token-endpoint man in
the middle, the SAML IdP): a threaded server for a handler class, and answers in JSON or HTML."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Answering(BaseHTTPRequestHandler):
    """A handler that answers JSON or an HTML page, and logs nothing."""

    def send_json(self, status: int, body: Any) -> None:
        self._send(status, "application/json", json.dumps(body).encode())

    def send_page(self, status: int, body: str) -> None:
        self._send(status, "text/html; charset=utf-8", f"<!doctype html><html><body>{body}</body></html>".encode())

    def _send(self, status: int, content_type: str, encoded: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, *_args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 (``port``, or a free one) in a thread; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
