"""``keys rotate|list``: a project's JWT signing keys."""

from __future__ import annotations

import argparse
import dataclasses
import json

from passgate.cli.output import show_rows
from passgate.cli.runner import add_json_option, add_project_option, chosen_project, database
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.mgmt.projects import list_keys, rotate_signing_key
from passgate.wiring import load_secrets


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="manage a project's JWT signing keys")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = actions.add_parser(
        "rotate", help="publish a new signing key now; it starts signing after --publish-seconds"
    )
    add_project_option(rotate)
    rotate.add_argument("--alg", choices=["RS256", "ES256", "EdDSA"], help="algorithm (default: the project's)")
    rotate.add_argument(
        "--publish-seconds", type=float, default=600, help="publish this long before signing (default 600)"
    )
    add_json_option(rotate)
    rotate.set_defaults(handler=_rotate)
    listing = actions.add_parser("list", help="list signing keys and their state")
    add_project_option(listing)
    add_json_option(listing)
    listing.set_defaults(handler=_list)


async def _rotate(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        project = await chosen_project(db, args.project)
        kid = await rotate_signing_key(
            db,
            load_secrets(settings),
            SystemClock(),
            project_id=project.id,
            alg=args.alg,
            publish_seconds=args.publish_seconds,
        )
    print(json.dumps({"kid": kid, "projectId": project.id}) if args.json else f"next key {kid} published")
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        keys = await list_keys(db, (await chosen_project(db, args.project)).id)
    show_rows(
        [dataclasses.asdict(key) for key in keys],
        as_json=args.json,
        columns=["kid", "alg", "status", "created_at", "activate_at", "retired_at"],
        times={"created_at", "activate_at", "retired_at"},
    )
    return 0
