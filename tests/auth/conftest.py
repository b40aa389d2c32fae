"""Fixtures shared by the flow tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from passgate.models.projects import ProjectSettings
from tests.support import LiveServer, database_url, live_server


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[LiveServer]:
    """A project with the default limits."""
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=ProjectSettings()) as live,
    ):
        yield live
