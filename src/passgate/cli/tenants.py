"""``tenant create|list|show|delete``: a project's tenants.

JSON output is Descope's tenant object (as the management API answers it).
"""

from __future__ import annotations

import argparse
from typing import Any

from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.mgmt import tenants
from passgate.web.schemas.tenants import TenantResponse

_COLUMNS = ["id", "name", "selfProvisioningDomains", "createdTime"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tenant = commands.add_parser("tenant", help="manage a project's tenants")
    actions = tenant.add_subparsers(dest="tenant_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a tenant")
    create.add_argument("--name", required=True, help="tenant name (unique in the project)")
    create.add_argument("--id", dest="tenant_id", help="tenant ID (default: generated)")
    create.add_argument("--domain", action="append", default=[], help="self-provisioning email domain (repeatable)")
    _common(create, _create)
    _common(actions.add_parser("list", help="list tenants, oldest first"), _list)
    show = actions.add_parser("show", help="a tenant")
    show.add_argument("tenant_id", metavar="TENANT_ID")
    _common(show, _show)
    delete = actions.add_parser("delete", help="delete a tenant, its memberships and its roles")
    delete.add_argument("tenant_id", metavar="TENANT_ID")
    delete.add_argument("--cascade", action="store_true", help="also delete users who belong to no other tenant")
    _common(delete, _delete)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    fields = tenants.TenantFields(name=args.name, self_provisioning_domains=args.domain)
    async with acting_on(settings, args.project) as (ctx, project):
        tenant_id = await tenants.create_tenant(ctx, project, args.tenant_id, fields)
        created = await tenants.load_tenant(ctx, project, tenant_id)
    show_object(TenantResponse.of(created).model_dump(), as_json=args.json, times={"createdTime"})
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        found = await tenants.search_tenants(ctx, project, tenants.TenantSearch())
    rows = [TenantResponse.of(tenant).model_dump() for tenant in found]
    show_rows(rows, as_json=args.json, columns=_COLUMNS, times={"createdTime"})
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        tenant = await tenants.load_tenant(ctx, project, args.tenant_id)
    show_object(TenantResponse.of(tenant).model_dump(), as_json=args.json, times={"createdTime"})
    return 0


async def _delete(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        await tenants.load_tenant(ctx, project, args.tenant_id)  # an unknown tenant is an error here
        await tenants.delete_tenant(ctx, project, args.tenant_id, cascade=args.cascade)
    show_object({"id": args.tenant_id, "deleted": True}, as_json=args.json)
    return 0
