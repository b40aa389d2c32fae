from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DEFAULT_REDIRECT, LiveServer, database_url, live_server, relaxed

BACKENDS = ["sqlite", "postgres"]


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
