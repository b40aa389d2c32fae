"""``accesskey create|list|revoke``: a project's access keys (for machine-to-machine sign-in).

The cleartext is printed once, by ``create``. ``revoke`` deactivates the key: it can no
longer be exchanged, and stays listed as ``inactive``. JSON output is the access key object
the management API answers.
"""

from __future__ import annotations

import argparse
from typing import Any

from passgate.cli.grant_options import add_grant_options, tenant_roles
from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.mgmt import access_keys
from passgate.web.schemas.access_keys import AccessKeyOut

CREATED_BY = "passgate-cli"  # what ``createdBy`` says of keys made here (the API records the management key)
_COLUMNS = ["id", "name", "status", "roleNames", "createdTime", "expireTime"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("accesskey", help="manage a project's access keys")
    actions = keys.add_subparsers(dest="accesskey_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument("--description", default="")
    create.add_argument("--expires-in", type=int, default=0, metavar="SECONDS", help="lifetime (default: never)")
    add_grant_options(create)
    _common(create, _create)
    listing = actions.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--tenant", action="append", default=[], help="only keys of this tenant (repeatable)")
    _common(listing, _list)
    revoke = actions.add_parser("revoke", help="deactivate a key: it stops working at once")
    revoke.add_argument("key_id", metavar="KEY_ID")
    _common(revoke, _revoke)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        expire_time = int(ctx.clock.now()) + args.expires_in if args.expires_in else 0
        new = access_keys.NewAccessKey(
            name=args.name,
            description=args.description,
            expire_time=expire_time,
            role_names=tuple(args.role),
            tenants=tenant_roles(args),
        )
        created = await access_keys.create_access_key(ctx, project, new, created_by=CREATED_BY)
    key = AccessKeyOut.of(created.key).model_dump()
    if args.json:
        show_object({"key": key, "cleartext": created.cleartext}, as_json=True)
    else:
        print(f"key ID      {key['id']}\naccess key  {created.cleartext}   (shown once: store it now)")
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    search = access_keys.AccessKeySearch(tenant_ids=tuple(args.tenant))
    async with acting_on(settings, args.project) as (ctx, project):
        found = await access_keys.search_access_keys(ctx, project, search)
    rows = [AccessKeyOut.of(key).model_dump() for key in found]
    show_rows(rows, as_json=args.json, columns=_COLUMNS, times={"createdTime", "expireTime"})
    return 0


async def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        await access_keys.set_active(ctx, project, [args.key_id], active=False)
    show_object({"id": args.key_id, "status": "inactive"}, as_json=args.json)
    return 0
