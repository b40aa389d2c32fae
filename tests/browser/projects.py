"""Projects for the browser tests: many on one passgate, each with the settings a test needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tests.support import LiveServer, make_project, relaxed

NewProject = Callable[..., LiveServer]
"""``new_project(**settings)``: a project with ``relaxed(**settings)`` on the run's passgate."""


def project_on(server: LiveServer, **settings: Any) -> LiveServer:
    """A new project on ``server`` with ``relaxed(**settings)``, as a ``LiveServer`` naming it."""
    created = make_project(server.settings, project_settings=relaxed(**settings))
    return replace(server, project_id=created.project.id, management_key=created.management_key)
