"""``mgmt-key create|list|revoke``: a project's management keys.

The cleartext is printed once, by ``create``; only its digest is stored, and no listing
shows either. A revoked key fails the very next management call.
"""

from __future__ import annotations

import argparse
import json

from passgate.cli.output import show_rows
from passgate.cli.runner import add_json_option, add_project_option, chosen_project, database
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.mgmt.management_keys import (
    NewManagementKey,
    create_management_key,
    list_management_keys,
    revoke_management_key,
)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("mgmt-key", help="manage a project's management keys")
    actions = keys.add_subparsers(dest="mgmt_key_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (shown once)")
    create.add_argument("--name", required=True, help="what the key is for (shown by list)")
    add_project_option(create)
    add_json_option(create)
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    add_project_option(listing)
    add_json_option(listing)
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a key: it stops working at once")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key's ID (from list)")
    add_project_option(revoke)
    add_json_option(revoke)
    revoke.set_defaults(handler=_revoke)


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        project = await chosen_project(db, args.project)
        created = await create_management_key(
            db, SystemClock(), project_id=project.id, new=NewManagementKey(name=args.name)
        )
    key = created.key
    if args.json:
        print(json.dumps({"id": key.id, "name": key.name, "managementKey": created.management_key}))
    else:
        print(f"key ID          {key.id}\nmanagement key  {created.management_key}   (shown once: store it now)")
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        keys = await list_management_keys(db, (await chosen_project(db, args.project)).id)
    rows = [
        {
            "id": k.id,
            "name": k.name,
            "created": k.created_at_ms / 1000,
            "revoked": k.revoked_at_ms / 1000 if k.revoked_at_ms is not None else None,
        }
        for k in keys
    ]
    show_rows(rows, as_json=args.json, columns=["id", "name", "created", "revoked"], times={"created", "revoked"})
    return 0


async def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        project = await chosen_project(db, args.project)
        await revoke_management_key(db, SystemClock(), project_id=project.id, key_id=args.key_id)
    print(json.dumps({"id": args.key_id, "revoked": True}) if args.json else f"management key {args.key_id} revoked")
    return 0
