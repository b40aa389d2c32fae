"""How a command runs: its configuration, its database, the project it acts on.

Commands work directly on the database, so they work with or without a running server.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from passgate.auth.context import AuthContext
from passgate.config import Settings
from passgate.errors import MissingArgument, ProjectNotFound
from passgate.mgmt.projects import get_project, list_projects
from passgate.models.projects import Project
from passgate.storage.connect import open_database
from passgate.storage.database import Database
from passgate.wiring import Runtime, build_runtime

Handler = Callable[[Settings, argparse.Namespace], int | Coroutine[Any, Any, int]]
"""What a leaf command runs (``set_defaults(handler=...)``); may be a coroutine function."""


def settings_of(args: argparse.Namespace) -> Settings:
    """The process settings, with ``--data-dir`` applied."""
    if args.data_dir:
        os.environ["PASSGATE_DATA_DIR"] = args.data_dir  # server workers re-read the environment
    return Settings()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Database]:
    """One connection to the configured database, closed afterwards."""
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        yield db
    finally:
        await db.close()


@asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The flows' context (as a server has it) on one connection, for commands that run flows."""
    opened = await build_runtime(settings.model_copy(update={"db_pool_size": 1}))
    try:
        yield opened
    finally:
        await opened.close()


async def chosen_project(db: Database, project_id: str | None) -> Project:
    """The ``--project`` project, or the only one when none is named."""
    if project_id:
        return await get_project(db, project_id)
    projects = await list_projects(db)
    if not projects:
        raise ProjectNotFound("No project yet: create one with `passgate project create`")
    if len(projects) > 1:
        raise MissingArgument("Several projects exist: name one with --project")
    return projects[0]


@asynccontextmanager
async def acting_on(settings: Settings, project_id: str | None) -> AsyncIterator[tuple[AuthContext, Project]]:
    """The flows' context and the chosen project, for the management commands."""
    async with runtime(settings) as opened:
        yield opened.ctx, await chosen_project(opened.db, project_id)


def add_project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", help="project ID (default: the only project)")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
