"""Fixtures of the real-browser tests: one Chromium, one passgate and one page server per run.

Each test gets a fresh browser context (its own storage and cookies) guarded against
off-machine requests, and asks for the project it needs with ``new_project``: projects are
cheap, servers and browsers are not, which keeps the whole suite well under three minutes.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.browser import bundles, chromium
from tests.browser.pages import PAGE_HOST, PageServer, guarded_context, page_server
from tests.browser.projects import NewProject, project_on
from tests.browser.sdk_page import OpenPage, SdkPage
from tests.support import LiveServer, database_url, live_server


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium, for this package's tests. Package scope, not session: Playwright's sync
    API keeps an event loop running in the thread while it is open, and an xdist worker that
    goes on to other files (any ``asyncio.run``, anyio's test runner) must not find it."""
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def test_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    """The web-js-sdk test page (``js/www``) with its bundle, built for this run and served."""
    root = tmp_path_factory.mktemp("pages")
    shutil.copytree(bundles.TEST_PACKAGES / "www", root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build"))
    bundles.install(bundles.TEST_PACKAGES)
    bundles.bundle(bundles.TEST_PACKAGES, "src/web.js", root / "build" / "web.js")
    with page_server(root) as served:
        yield served


@pytest.fixture(scope="session")
def passgate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One passgate on SQLite for the browser tests (its first project relaxed, no origins set)."""
    data_dir: Path = tmp_path_factory.mktemp("browser-passgate")
    with database_url("sqlite", data_dir) as url, live_server(url, data_dir) as live:
        yield live


@pytest.fixture(scope="session")
def new_project(passgate: LiveServer) -> NewProject:
    """``new_project(**settings)``: a new project on the run's passgate (rate limits relaxed)."""
    return functools.partial(project_on, passgate)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (own storage and cookies); the test fails if a page in it
    tried to reach anything but this machine."""
    with guarded_context(browser) as (fresh, guard):
        yield fresh
    assert not guard.attempts, f"a page tried to leave the machine: {guard.attempts}"


@pytest.fixture
def open_page(context: BrowserContext, test_pages: PageServer) -> OpenPage:
    """``open_page(project, host=PAGE_HOST)``: a new tab on the test page at ``host``."""

    def open_(project: LiveServer, host: str = PAGE_HOST) -> SdkPage:
        return SdkPage.open(context, test_pages.origin(host), project)

    return open_
