"""``user passkeys`` and ``user totp-reset``: the factors a user holds.

Removals are written to the audit trail (actions ``cli.user.*``), as the management
routes' are.
"""

from __future__ import annotations

import argparse
from typing import Any

from passgate.auth import audit
from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.mgmt import user_factors

_PASSKEY_COLUMNS = ["id", "displayName", "kind", "rpId", "createdTime", "lastUsedTime"]


def add_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    passkeys = actions.add_parser("passkeys", help="list a user's passkeys, or remove one or all of them")
    passkeys.add_argument("login_id", metavar="LOGIN_ID")
    removal = passkeys.add_mutually_exclusive_group()
    removal.add_argument("--delete", metavar="CREDENTIAL_ID", help="remove this passkey")
    removal.add_argument("--delete-all", action="store_true", help="remove every passkey of the user")
    _common(passkeys, _passkeys)

    reset = actions.add_parser("totp-reset", help="remove a user's authenticator app (it can enrol a new one)")
    reset.add_argument("login_id", metavar="LOGIN_ID")
    _common(reset, _totp_reset)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


async def _passkeys(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        if args.delete or args.delete_all:
            if args.delete:
                user = await user_factors.remove_passkey(ctx, project, args.login_id, args.delete)
                action, detail = "cli.user.remove_passkey", {"credentialId": args.delete}
            else:
                user = await user_factors.remove_passkeys(ctx, project, args.login_id)
                action, detail = "cli.user.remove_passkeys", {}
            await audit.record(ctx, project.id, action, user_id=user.id, login_id=args.login_id, detail=detail)
            show_object({"userId": user.id, "webauthn": user.webauthn}, as_json=args.json)
            return 0
        found = await user_factors.list_passkeys(ctx, project, args.login_id)
    rows = [
        {
            "id": credential.credential_id,
            "displayName": credential.name,
            "kind": "multi-device" if credential.backup_eligible else "single-device",
            "rpId": credential.rp_id,
            "createdTime": credential.created_at_ms // 1000,
            "lastUsedTime": credential.last_used_at_ms // 1000,
        }
        for credential in found
    ]
    show_rows(rows, as_json=args.json, columns=_PASSKEY_COLUMNS, times={"createdTime", "lastUsedTime"})
    return 0


async def _totp_reset(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        user = await user_factors.remove_totp(ctx, project, login_id=args.login_id)
        await audit.record(ctx, project.id, "cli.user.totp_reset", user_id=user.id, login_id=args.login_id)
    show_object({"userId": user.id, "TOTP": user.totp}, as_json=args.json)
    return 0
