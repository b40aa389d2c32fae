"""``user create|list|show|disable|enable|delete|duplicates|passkeys|totp-reset|import|export|set-password``:
a project's users.

JSON output is Descope's user object (as the management API answers it).
"""

from __future__ import annotations

import argparse
from typing import Any

from passgate.auth.context import AuthContext
from passgate.cli import user_factors, user_transfer
from passgate.cli.grant_options import add_grant_options, tenant_roles
from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.mgmt import split_users, users
from passgate.models.projects import Project
from passgate.models.users import SortField, TestUsers, User, UserQuery, UserStatus
from passgate.web.schemas.users import UserResponse

_COLUMNS = ["userId", "loginIds", "name", "email", "phone", "status", "createdTime"]
_SHOWN = [*_COLUMNS, "roleNames", "tenants", "test"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="manage a project's users")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a user (no verification, nothing sent)")
    create.add_argument("login_id", metavar="LOGIN_ID")
    create.add_argument("--email", help="email address (taken as verified)")
    create.add_argument("--phone", help="phone number, E.164 (taken as verified)")
    create.add_argument("--name", help="display name")
    create.add_argument("--test", action="store_true", help="a test user (its JWTs carry tu: true)")
    add_grant_options(create)
    _common(create, _create)

    listing = actions.add_parser("list", help="list users, newest first")
    listing.add_argument("--text", default="", help="only users whose login ID, name, email or phone contains this")
    listing.add_argument("--status", action="append", default=[], choices=[s.value for s in UserStatus])
    listing.add_argument("--role", action="append", default=[], help="only holders of this role (repeatable)")
    listing.add_argument("--tenant", action="append", default=[], help="only members of this tenant (repeatable)")
    listing.add_argument(
        "--test-users", choices=[t.value for t in TestUsers], default="exclude", help="default: exclude"
    )
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    listing.add_argument("--page", type=int, default=0, help="page number, from 0")
    _common(listing, _list)

    for name, handler, what in (
        ("show", _show, "a user"),
        ("disable", _disable, "disable a user: it cannot sign in and its sessions end"),
        ("enable", _enable, "enable a disabled user"),
        ("delete", _delete, "delete a user and its sessions"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("login_id", metavar="LOGIN_ID", nargs="?", help="the user's login ID")
        action.add_argument("--user-id", help="name the user by ID instead")
        _common(action, handler)

    duplicates = actions.add_parser(
        "duplicates",
        help="list login IDs stored in several spellings of one address (users split by "
        "tel:, mailto: or full-width forms), or only in a spelling sign-in no longer reaches",
    )
    _common(duplicates, _duplicates)
    user_factors.add_actions(actions)
    user_transfer.add_actions(actions)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


def _described(user: User) -> dict[str, Any]:
    return UserResponse.of(user).model_dump()


def _show_user(user: User, args: argparse.Namespace) -> None:
    described = _described(user)
    if args.json:
        show_object(described, as_json=True)
        return
    described["tenants"] = [tenant["tenantId"] for tenant in described["userTenants"]]
    show_object({key: described[key] for key in _SHOWN}, as_json=False, times={"createdTime"})


async def _named(ctx: AuthContext, project: Project, args: argparse.Namespace) -> User:
    return await users.load_user(ctx, project, login_id=args.login_id, user_id=args.user_id)


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    fields = users.UserFields(
        email=args.email,
        phone=args.phone,
        name=args.name,
        verified_email=True if args.email else None,
        verified_phone=True if args.phone else None,
        role_names=tuple(args.role),
        tenants=tenant_roles(args),
    )
    async with acting_on(settings, args.project) as (ctx, project):
        user = await users.create_user(
            ctx, project, users.NewUser(login_id=args.login_id, fields=fields, test=args.test)
        )
    _show_user(user, args)
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    query = UserQuery(
        text=args.text,
        statuses=tuple(args.status),
        role_names=tuple(args.role),
        tenant_ids=tuple(args.tenant),
        test_users=TestUsers(args.test_users),
        sort=((SortField.CREATED, True),),
        limit=args.limit,
        page=args.page,
    )
    async with acting_on(settings, args.project) as (ctx, project):
        found, _ = await users.search_users(ctx, project, query)
    show_rows([_described(user) for user in found], as_json=args.json, columns=_COLUMNS, times={"createdTime"})
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        user = await _named(ctx, project, args)
    _show_user(user, args)
    return 0


async def _set_status(settings: Settings, args: argparse.Namespace, status: UserStatus) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        user = await _named(ctx, project, args)
        changed = await users.patch_user(ctx, project, user.login_ids[0], users.UserFields(status=status))
    _show_user(changed, args)
    return 0


async def _disable(settings: Settings, args: argparse.Namespace) -> int:
    return await _set_status(settings, args, UserStatus.DISABLED)


async def _enable(settings: Settings, args: argparse.Namespace) -> int:
    return await _set_status(settings, args, UserStatus.ENABLED)


async def _delete(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        user = await _named(ctx, project, args)  # an unknown user is an error here, unlike the API
        await users.delete_user(ctx, project, user_id=user.id)
    show_object({"userId": user.id, "deleted": True}, as_json=args.json)
    return 0


async def _duplicates(settings: Settings, args: argparse.Namespace) -> int:
    """One row per stored spelling; nothing is changed (merge or delete with the user commands)."""
    async with acting_on(settings, args.project) as (ctx, project):
        found = await split_users.find_split_logins(ctx, project)
    rows = [
        {
            "canonical": login.canonical,
            "kind": "split" if login.split else "stranded",
            "loginId": spelling.login_id,
            "userId": spelling.user_id,
        }
        for login in found
        for spelling in login.spellings
    ]
    show_rows(rows, as_json=args.json, columns=["canonical", "kind", "loginId", "userId"])
    return 0
