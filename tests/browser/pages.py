"""Where the test pages come from, and the guard that keeps every page on this machine.

``PageServer`` serves one directory on 127.0.0.1 at a port of its own. Its pages are opened
as ``http://localhost:<port>/…``: another origin than passgate's (same site, another port,
as in most development setups). ``chromium.OTHER_HOST`` names the same server under an
origin no project allows.

``OffMachineGuard`` watches every request of a browser context: one to any host but the
loopback names (``chromium.REACHABLE_HOSTS``; Chromium's resolver refuses the rest) is recorded, and the
``context`` fixture fails the test that made it. That is what shows a page loads nothing
from a CDN. It only listens: a Playwright route handler would do, except that with any
route installed Playwright answers every CORS preflight itself, allowing every origin,
and the tests of passgate's CORS answers would test Playwright's.
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

from playwright.sync_api import Browser, BrowserContext, Request

from tests.browser.chromium import REACHABLE_HOSTS
from tests.support import free_port

PAGE_HOST = "localhost"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a connection early (a closed tab) is not the test's business


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
    httpd = _QuietServer(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield PageServer(root, port)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def off_machine(url: str) -> bool:
    return urlsplit(url).hostname not in REACHABLE_HOSTS


class OffMachineGuard:
    """Records every request of a context that would leave the loopback interface."""

    def __init__(self, context: BrowserContext) -> None:
        self.attempts: list[str] = []
        context.on("request", self._record)

    def _record(self, request: Request) -> None:
        if off_machine(request.url):
            self.attempts.append(request.url)


@contextmanager
def guarded_context(browser: Browser) -> Iterator[tuple[BrowserContext, OffMachineGuard]]:
    """A fresh context of ``browser`` (its own storage and cookies) and its guard; closed after."""
    context = browser.new_context()
    try:
        yield context, OffMachineGuard(context)
    finally:
        context.close()
