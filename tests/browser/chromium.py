"""Headless Chromium: Debian's ``chromium`` package, driven by Playwright's bundled driver.

Playwright's own browser download cannot work here, so ``launch`` points Playwright at
``/usr/bin/chromium`` (or ``$PASSGATE_CHROMIUM``), which ``scripts/browser-deps`` (run by
``scripts/test``) installs when missing. A browser that is missing or will not start skips
the browser tests outside CI and fails them with ``CI=true``.

Chromium's own resolver keeps every page on this machine: ``localhost`` and ``127.0.0.1``
are themselves, ``OTHER_HOST`` is mapped to 127.0.0.1 (so a page can be served from an
origin no project allows), and every other name or address fails to resolve, so nothing can
load from a CDN. ``pages.OffMachineGuard`` records any such attempt and fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Error, Playwright

from tests.support import unavailable

EXECUTABLE = Path(os.environ.get("PASSGATE_CHROMIUM", "/usr/bin/chromium"))
OTHER_HOST = "elsewhere.test"
REACHABLE_HOSTS = frozenset({"localhost", "127.0.0.1", OTHER_HOST})  # everything else fails to resolve
ARGS = (
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    f"--host-resolver-rules=EXCLUDE localhost, EXCLUDE 127.0.0.1, MAP {OTHER_HOST} 127.0.0.1, MAP * ~NOTFOUND",
    # (the rules in order, the first that matches wins; REACHABLE_HOSTS names what they let through)
)


def launch(playwright: Playwright) -> Browser:
    """A headless Chromium from ``EXECUTABLE``."""
    if not EXECUTABLE.exists():
        unavailable(f"Chromium not found at {EXECUTABLE} (scripts/browser-deps installs Debian's chromium)")
    try:
        return playwright.chromium.launch(executable_path=EXECUTABLE, args=list(ARGS), timeout=60_000)
    except Error as exc:
        unavailable(f"Chromium at {EXECUTABLE} did not start: {exc.message}")
