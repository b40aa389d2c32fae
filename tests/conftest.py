from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DEFAULT_REDIRECT, LiveServer, database_url, live_server, relaxed

BACKENDS = ["sqlite", "postgres"]
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real-browser tests last. Playwright's sync API keeps an event loop running in the
    thread for as long as its session lasts, so a test that ran after it on the same xdist
    worker and called ``asyncio.run`` would fail; xdist hands files out in this order, so
    each worker reaches the browser files only when nothing else is left."""
    items.sort(key=lambda item: item.path.is_relative_to(BROWSER_TESTS))  # stable: the rest keep their order


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live passgate per backend, shared by a module's tests (they use unique login IDs)."""
    data_dir: Path = tmp_path_factory.mktemp(f"server-{request.param}")
    settings = relaxed(default_redirect_url=DEFAULT_REDIRECT)
    with (
        database_url(str(request.param), data_dir) as url,
        live_server(url, data_dir, project_settings=settings) as live,
    ):
        yield live
