"""``--role`` and ``--tenant``: what a new user or access key is granted."""

from __future__ import annotations

import argparse

from passgate.mgmt.grants import TenantRoles


def add_grant_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", action="append", default=[], help="a project-level role (repeatable)")
    parser.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="TENANT[:ROLE,...]",
        help="membership of a tenant, with roles there (repeatable)",
    )


def tenant_roles(args: argparse.Namespace) -> tuple[TenantRoles, ...]:
    """The ``--tenant`` options as memberships (tenant IDs never contain ``:``)."""
    memberships = []
    for given in args.tenant:
        tenant_id, _, roles = given.partition(":")
        memberships.append(TenantRoles(tenant_id=tenant_id, role_names=tuple(r for r in roles.split(",") if r)))
    return tuple(memberships)
