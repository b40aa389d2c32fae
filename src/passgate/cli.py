"""The ``passgate`` command: serve, migrate, project management.

Every subcommand reads the same configuration (``PASSGATE_*`` variables, ``--data-dir``)
and works while a server runs on the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from passgate.auth import audit
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.logs import configure_logging
from passgate.mgmt.projects import CreatedProject, create_project, list_keys, list_projects, rotate_signing_key
from passgate.models import ProjectSettings
from passgate.storage import migrate, outbox_store
from passgate.storage.audit_store import AuditQuery
from passgate.storage.connect import open_database
from passgate.storage.database import Database
from passgate.wiring import build_runtime, load_secrets

SNIPPET = """\
    from descope import DescopeClient, DeliveryMethod
    client = DescopeClient(project_id="{project_id}", base_url="{base_url}")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, "you@example.com")
    jwt = client.otp.verify_code(DeliveryMethod.EMAIL, "you@example.com", input("code: "))
    print(client.validate_session(jwt["sessionToken"]["jwt"])["userId"])"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="passgate", description="Self-hosted passwordless auth speaking the Descope API."
    )
    parser.add_argument("--data-dir", help="data directory (env PASSGATE_DATA_DIR, default ./.passgate)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4000, help="port to bind (default 4000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--no-dispatcher", action="store_true", help="do not deliver messages in-process (run `passgate worker`)"
    )

    commands.add_parser("migrate", help="apply database schema migrations")
    commands.add_parser("worker", help="run only the outbox dispatcher (message delivery)")

    keys = commands.add_parser("keys", help="manage a project's JWT signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = keys_commands.add_parser(
        "rotate", help="publish a new signing key now; it starts signing after --publish-seconds"
    )
    rotate.add_argument("--project", help="project ID (default: the only project)")
    rotate.add_argument("--alg", choices=["RS256", "ES256", "EdDSA"], help="algorithm (default: the project's)")
    rotate.add_argument(
        "--publish-seconds", type=float, default=600, help="publish this long before signing (default 600)"
    )
    rotate.add_argument("--json", action="store_true", help="print JSON")
    key_list = keys_commands.add_parser("list", help="list signing keys and their state")
    key_list.add_argument("--project", help="project ID (default: the only project)")
    key_list.add_argument("--json", action="store_true", help="print JSON")

    audit_parser = commands.add_parser("audit", help="search the audit trail")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_search = audit_commands.add_parser("search", help="events, newest first")
    audit_search.add_argument("--project", help="project ID (default: the only project)")
    audit_search.add_argument("--user-id", action="append", default=[], help="only this user (repeatable)")
    audit_search.add_argument("--login-id", action="append", default=[], help="only this login ID (repeatable)")
    audit_search.add_argument("--action", action="append", default=[], help="only this action (repeatable)")
    audit_search.add_argument("--since", type=float, help="only the last N seconds")
    audit_search.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    audit_search.add_argument("--json", action="store_true", help="print JSON")

    outbox = commands.add_parser("outbox", help="inspect and re-drive queued messages")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    listing_outbox = outbox_commands.add_parser("list", help="list messages, newest first")
    listing_outbox.add_argument("--state", choices=["queued", "sending", "retry", "sent", "failed", "dropped"])
    listing_outbox.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing_outbox.add_argument("--json", action="store_true", help="print JSON")
    retry = outbox_commands.add_parser("retry", help="queue failed messages again")
    retry.add_argument("ids", nargs="*", help="message IDs (default: every failed message)")

    project = commands.add_parser("project", help="manage projects")
    project_commands = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    create = project_commands.add_parser("create", help="create a project and print its ID and management key")
    create.add_argument("--name", required=True, help="project name")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.add_argument(
        "--settings", help="project settings as JSON, e.g. '{\"otp_length\": 8}' (default: the defaults)"
    )
    listing = project_commands.add_parser("list", help="list projects")
    listing.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    if args.data_dir:
        os.environ["PASSGATE_DATA_DIR"] = args.data_dir  # workers re-read the environment
    return Settings()


async def _create_project(
    settings: Settings, name: str, project_settings: ProjectSettings | None = None
) -> CreatedProject:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        return await create_project(db, load_secrets(settings), SystemClock(), name=name, settings=project_settings)
    finally:
        await db.close()


async def _projects(settings: Settings) -> list[dict[str, str]]:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        return [{"projectId": p.id, "name": p.name} for p in await list_projects(db)]
    finally:
        await db.close()


async def _work(settings: Settings) -> None:
    runtime = await build_runtime(settings)
    try:
        await runtime.dispatcher.run()
    finally:
        await runtime.close()


async def _keys(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        project_id = args.project or await _only_project(db)
        if args.keys_command == "rotate":
            kid = await rotate_signing_key(
                db,
                load_secrets(settings),
                SystemClock(),
                project_id=project_id,
                alg=args.alg,
                publish_seconds=args.publish_seconds,
            )
            print(json.dumps({"kid": kid, "projectId": project_id}) if args.json else f"next key {kid} published")
            return 0
        keys = await list_keys(db, project_id)
    finally:
        await db.close()
    if args.json:
        print(json.dumps([dataclasses.asdict(key) for key in keys]))
    else:
        for key in keys:
            activate, retired = key.activate_at or "-", key.retired_at or "-"
            print(f"{key.kid}  {key.alg:<6} {key.status:<8} activate={activate} retired={retired}")
    return 0


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    runtime = await build_runtime(settings)
    try:
        now_ms = runtime.ctx.now_ms()
        query = AuditQuery(
            project_id=args.project or await _only_project(runtime.db),
            user_ids=tuple(args.user_id),
            actions=tuple(args.action),
            from_ms=now_ms - int(args.since * 1000) if args.since else None,
            limit=args.limit,
        )
        events = await audit.search(runtime.ctx, query, tuple(args.login_id))
    finally:
        await runtime.close()
    rows = [
        {
            "occurred": e.occurred_at_ms,
            "action": e.action,
            "outcome": e.outcome,
            "userId": e.user_id,
            "loginId": e.login_id_masked,
            "ip": e.ip,
            "detail": e.detail,
        }
        for e in events
    ]
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            who = r["userId"] or "-"
            print(f"{r['occurred']}  {r['action']:<32} {r['outcome']:<8} {who:<28} {r['loginId']} {r['ip']}")
    return 0


async def _only_project(db: Database) -> str:
    projects = await list_projects(db)
    if len(projects) != 1:
        raise SystemExit("passgate: several projects exist; name one with --project")
    return projects[0].id


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings.resolved_database_url(), pool_size=1)
    try:
        if args.outbox_command == "retry":
            async with db.transaction() as tx:
                count = await outbox_store.requeue_failed(tx, args.ids or None, int(SystemClock().now() * 1000))
            print(f"passgate: {count} message(s) queued again", file=sys.stderr)
            return 0 if count or not args.ids else 1
        async with db.transaction(write=False) as tx:
            rows = await outbox_store.list_messages(tx, state=args.state, limit=args.limit)
    finally:
        await db.close()
    listed = [
        {"id": r.id, "channel": r.channel, "state": r.state, "attempts": r.attempts, "lastError": r.last_error}
        for r in rows
    ]
    if args.json:
        print(json.dumps(listed))
    else:
        for r in listed:
            print(f"{r['id']}  {r['channel']:<8} {r['state']:<8} attempts={r['attempts']}  {r['lastError'] or ''}")
    return 0


def _first_start(settings: Settings, base_url: str) -> None:
    """Create and announce a default project when the database has none."""
    if asyncio.run(_projects(settings)):
        for project in asyncio.run(_projects(settings)):
            print(f"passgate: project {project['projectId']} ({project['name']})", file=sys.stderr)
        return
    created = asyncio.run(_create_project(settings, "default"))
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
    _first_start(settings, base_url)
    uvicorn.run(
        "passgate.web.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    print("passgate: database is at the newest schema", file=sys.stderr)
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(settings.log_level)
    asyncio.run(_work(settings))
    return 0


def _project(settings: Settings, args: argparse.Namespace) -> int:
    if args.project_command == "create":
        return _project_create(settings, args)
    projects = asyncio.run(_projects(settings))
    if args.json:
        print(json.dumps(projects))
    else:
        for project in projects:
            print(f"{project['projectId']}  {project['name']}")
    return 0


def _project_create(settings: Settings, args: argparse.Namespace) -> int:
    try:
        chosen = ProjectSettings.model_validate_json(args.settings) if args.settings else None
    except ValidationError as exc:
        raise SystemExit(f"passgate: invalid --settings: {exc}") from exc
    created = asyncio.run(_create_project(settings, args.name, chosen))
    project_id, key = created.project.id, created.management_key
    if args.json:
        print(json.dumps({"projectId": project_id, "name": args.name, "managementKey": key}))
    else:
        print(f"project ID      {project_id}\nmanagement key  {key}   (shown once)")
    return 0


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "migrate": _migrate,
    "worker": _worker,
    "outbox": lambda settings, args: asyncio.run(_outbox(settings, args)),
    "keys": lambda settings, args: asyncio.run(_keys(settings, args)),
    "audit": lambda settings, args: asyncio.run(_audit(settings, args)),
    "project": _project,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``passgate`` command."""
    args = _parser().parse_args(argv)
    settings = _settings(args)
    if args.command == "serve":
        return _serve(settings, args)
    migrate.upgrade(settings.resolved_database_url())
    return _COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
