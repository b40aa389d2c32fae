"""``serve``, ``migrate`` and ``worker``: running passgate."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from passgate.cli.runner import database
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.logs import configure_logging
from passgate.mgmt.projects import create_project, list_projects
from passgate.storage import migrate
from passgate.wiring import build_runtime, load_secrets

SNIPPET = """\
    from descope import DescopeClient, DeliveryMethod
    client = DescopeClient(project_id="{project_id}", base_url="{base_url}")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, "you@example.com")
    jwt = client.otp.verify_code(DeliveryMethod.EMAIL, "you@example.com", input("code: "))
    print(client.validate_session(jwt["sessionToken"]["jwt"])["userId"])"""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the HTTP server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4000, help="port to bind (default 4000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--no-dispatcher", action="store_true", help="do not deliver messages in-process (run `passgate worker`)"
    )
    serve.set_defaults(handler=_serve)
    commands.add_parser("migrate", help="apply database schema migrations").set_defaults(handler=_migrate)
    worker = commands.add_parser("worker", help="run only the outbox dispatcher (message delivery)")
    worker.set_defaults(handler=_worker)


async def _first_start(settings: Settings, base_url: str) -> None:
    """Create and announce a default project when the database has none."""
    async with database(settings) as db:
        projects = await list_projects(db)
        for project in projects:
            print(f"passgate: project {project.id} ({project.name})", file=sys.stderr)
        if projects:
            return
        created = await create_project(db, load_secrets(settings), SystemClock(), name="default")
    project_id = created.project.id
    print(
        "\n".join(
            [
                "",
                "passgate: first start — created a project",
                f"  base URL        {base_url}",
                f"  project ID      {project_id}",
                f"  management key  {created.management_key}   (shown once: store it now)",
                "",
                "Sign in with the descope SDK (pip install descope==2.16.0):",
                SNIPPET.format(project_id=project_id, base_url=base_url),
                "",
            ]
        ),
        file=sys.stderr,
        flush=True,
    )


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if args.no_dispatcher:
        os.environ["PASSGATE_DISPATCHER"] = "false"  # workers re-read the environment
    migrate.upgrade(settings.resolved_database_url())
    base_url = settings.public_url or f"http://{args.host}:{args.port}"
    asyncio.run(_first_start(settings, base_url))
    uvicorn.run(
        "passgate.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    print("passgate: database is at the newest schema", file=sys.stderr)  # main() migrated
    return 0


async def _work(settings: Settings) -> None:
    runtime = await build_runtime(settings)
    try:
        await runtime.dispatcher.run()
    finally:
        await runtime.close()


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(settings.log_level)
    asyncio.run(_work(settings))
    return 0
