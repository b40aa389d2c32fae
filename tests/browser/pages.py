"""Where the test pages come from, and the guard that keeps every page on this machine.

``PageServer`` serves one directory on 127.0.0.1 at a port of its own. Its pages are opened
as ``http://localhost:<port>/…``: another origin than passgate's (same site, another port,
as in most development setups). ``chromium.OTHER_HOST`` names the same server under an
origin no project allows.

``OffMachineGuard`` is installed as a route handler on every browser context: a request to
any host but these loopback names is aborted and recorded, and the ``context`` fixture
fails the test that made it. That is what shows a page loads nothing from a CDN.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route

from tests.browser.chromium import OTHER_HOST
from tests.support import free_port

PAGE_HOST = "localhost"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", OTHER_HOST})


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class PageServer:
    """Static files of ``root`` over HTTP; ``origin(host)`` is how a browser addresses them."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port

    def origin(self, host: str = PAGE_HOST) -> str:
        return f"http://{host}:{self.port}"


@contextmanager
def page_server(root: Path) -> Iterator[PageServer]:
    """``root`` served on a free loopback port in a background thread, until the block ends."""
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield PageServer(root, port)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def off_machine(url: str) -> bool:
    return urlsplit(url).hostname not in LOOPBACK_HOSTS


class OffMachineGuard:
    """Aborts and records every request of a context that would leave the loopback interface."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def install(self, context: BrowserContext) -> None:
        context.route(off_machine, self._refuse)

    def _refuse(self, route: Route) -> None:
        self.attempts.append(route.request.url)
        route.abort("blockedbyclient")
