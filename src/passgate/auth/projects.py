"""Project lookup with a short per-process cache.

A project created by the CLI (another process) is served at once: a miss always reads the
database. Settings changes reach every worker and instance within ``ttl`` seconds
(``PASSGATE_PROJECT_CACHE_SECONDS``, default 2); the process that made a change serves it
at once, as ``mgmt.project_settings.change_settings`` calls ``forget``.
"""

from __future__ import annotations

from passgate.clock import Clock
from passgate.errors import Unauthorized
from passgate.models.projects import Project
from passgate.storage import projects_store
from passgate.storage.database import Database


class ProjectDirectory:
    def __init__(self, db: Database, clock: Clock, ttl: float) -> None:
        self._db = db
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Project]] = {}

    async def get(self, project_id: str) -> Project:
        """The project, or ``Unauthorized`` if there is none by that ID."""
        now = self._clock.now()
        cached = self._cache.get(project_id)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        async with self._db.transaction(write=False) as tx:
            project = await projects_store.get_project(tx, project_id)
        if project is None:
            raise Unauthorized("Unknown project ID")
        self._cache[project_id] = (now, project)
        return project

    def forget(self, project_id: str) -> None:
        """Drop the cached copy (after a settings change in this process)."""
        self._cache.pop(project_id, None)
