"""``role create|list|delete``: a project's roles, project-level or of one tenant.

JSON output is the role object the management API answers.
"""

from __future__ import annotations

import argparse
from typing import Any

from passgate.auth.context import AuthContext
from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.errors import RoleNotFound
from passgate.mgmt import roles
from passgate.models.projects import Project
from passgate.models.roles import PROJECT_LEVEL, RoleRecord
from passgate.web.schemas.roles import RoleResponse

_COLUMNS = ["name", "tenantId", "permissionNames", "description", "createdTime"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    role = commands.add_parser("role", help="manage a project's roles")
    actions = role.add_subparsers(dest="role_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a role")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--description", default="")
    create.add_argument("--permission", action="append", default=[], help="a permission it grants (repeatable)")
    _tenant_option(create, "define the role in this tenant (default: project-level)")
    _common(create, _create)
    listing = actions.add_parser("list", help="list roles")
    _tenant_option(listing, "only the roles defined in this tenant")
    _common(listing, _list)
    delete = actions.add_parser("delete", help="delete a role; every holder loses it at once")
    delete.add_argument("name", metavar="NAME")
    _tenant_option(delete, "the role is defined in this tenant (default: project-level)")
    _common(delete, _delete)


def _tenant_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--tenant", default=PROJECT_LEVEL, help=text)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


async def _find(ctx: AuthContext, project: Project, name: str, tenant_id: str) -> RoleRecord:
    """The role of this name in this scope; ``RoleNotFound`` if there is none."""
    search = roles.RoleSearch(role_names=(name,), tenant_ids=(tenant_id,) if tenant_id else ())
    found = [role for role in await roles.search(ctx, project, search) if role.tenant_id == tenant_id]
    if not found:
        raise RoleNotFound(f"Role not found: {name}")
    return found[0]


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    fields = roles.RoleFields(
        name=args.name, description=args.description, permission_names=tuple(args.permission), tenant_id=args.tenant
    )
    async with acting_on(settings, args.project) as (ctx, project):
        await roles.create_roles(ctx, project, [fields])
        created = await _find(ctx, project, args.name.strip(), args.tenant)
    show_object(RoleResponse.of(created).model_dump(), as_json=args.json, times={"createdTime"})
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    search = roles.RoleSearch(tenant_ids=(args.tenant,) if args.tenant else ())
    async with acting_on(settings, args.project) as (ctx, project):
        found = await roles.search(ctx, project, search)
    rows = [RoleResponse.of(role).model_dump() for role in found]
    show_rows(rows, as_json=args.json, columns=_COLUMNS, times={"createdTime"})
    return 0


async def _delete(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        role = await _find(ctx, project, args.name, args.tenant)  # an unknown role is an error here
        await roles.delete_roles(ctx, project, [roles.RoleRef(role_id=role.id)])
    show_object({"id": role.id, "name": role.name, "deleted": True}, as_json=args.json)
    return 0
