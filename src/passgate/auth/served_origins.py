"""The origins this instance serves: the union of every project's allowed origins.

A CORS preflight names no project (it carries no ``Authorization``, only the names of the
headers to come), so it is judged against this union; the request that follows is judged
against its own project's origins (``web/cors.py``). Judging every preflight by the one
union also means its answer never depends on the project or path it names, so a preflight
cannot tell anyone whether a project exists.

The union is held in memory and never read on a request's behalf: ``current()`` answers
from what is held and, when that is older than ``ttl`` seconds (the project cache's TTL,
``PASSGATE_PROJECT_CACHE_SECONDS``), starts one reload in the background. Settings this
process changes are put in at once (``put``); changes made elsewhere (another worker or
instance, the CLI) arrive with the next reload, as they reach the project cache. A reload
that fails (the database is away) keeps the union it had.
"""

from __future__ import annotations

import asyncio

import structlog

from passgate.auth.origins import OriginSet, project_origins
from passgate.clock import Clock
from passgate.models.projects import Project
from passgate.storage import projects_store
from passgate.storage.database import Database

log = structlog.get_logger("passgate.origins")


class ServedOrigins:
    def __init__(self, db: Database, clock: Clock, ttl: float) -> None:
        self._db = db
        self._clock = clock
        self._ttl = ttl
        self._by_project: dict[str, OriginSet] = {}
        self._union = OriginSet(())
        self._loaded_at: float | None = None
        self._put_while_loading: dict[str, OriginSet] = {}
        self._reload: asyncio.Task[None] | None = None

    def current(self) -> OriginSet:
        """The union as held (no database read); a stale one starts a background reload."""
        stale = self._loaded_at is None or self._clock.now() - self._loaded_at >= self._ttl
        if stale and (self._reload is None or self._reload.done()):
            self._reload = asyncio.get_running_loop().create_task(self.refresh(), name="served-origins")
        return self._union

    async def refresh(self) -> None:
        """Read every project's origins again; on failure log it and keep the union held
        (the next stale ``current()`` tries again)."""
        started = self._clock.now()
        self._put_while_loading = {}
        try:
            async with self._db.transaction(write=False) as tx:
                projects = await projects_store.list_projects(tx)
        except Exception as exc:  # noqa: BLE001 - an outage must not cost the origins already known
            log.warning("allowed origins not reloaded", error_type=type(exc).__name__)
        else:
            loaded = {project.id: project_origins(project.settings) for project in projects}
            # This process's own changes made during the read are newer than what it read.
            self._set({**loaded, **self._put_while_loading})
        self._loaded_at = started

    async def close(self) -> None:
        """Wait for a reload under way (before the database closes under it)."""
        if self._reload is not None:
            await self._reload

    def put(self, project: Project) -> None:
        """Take the settings of a project this process has just changed, at once."""
        origins = project_origins(project.settings)
        self._put_while_loading[project.id] = origins
        self._set({**self._by_project, project.id: origins})

    def _set(self, by_project: dict[str, OriginSet]) -> None:
        self._by_project = by_project
        self._union = OriginSet.union(by_project.values())
