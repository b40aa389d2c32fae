"""The ``passgate`` command: serving, and operating projects without writing code.

Every subcommand reads the same configuration (``PASSGATE_*`` variables, ``--data-dir``)
and works on the database directly, while a server runs on it or not. Tables for people,
``--json`` for scripts. A failure prints ``error: <code> <message>`` to stderr and exits 1;
a usage error exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from passgate.cli import (
    access_keys,
    audit,
    mgmt_keys,
    outbox,
    projects,
    roles,
    server,
    signing_keys,
    tenants,
    users,
)
from passgate.cli.runner import Handler, settings_of
from passgate.errors import PassgateError
from passgate.storage import migrate

_GROUPS = (server, projects, mgmt_keys, users, tenants, roles, access_keys, signing_keys, audit, outbox)


def parser() -> argparse.ArgumentParser:
    """The whole command line: each group module adds its commands."""
    root = argparse.ArgumentParser(
        prog="passgate", description="Self-hosted passwordless auth speaking the Descope API."
    )
    root.add_argument("--data-dir", help="data directory (env PASSGATE_DATA_DIR, default ./.passgate)")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in _GROUPS:
        group.add_commands(commands)
    return root


def _run(handler: Handler, args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if args.command != "serve":  # serve migrates itself, before announcing the first project
        migrate.upgrade(settings.resolved_database_url())
    result = handler(settings, args)
    return result if isinstance(result, int) else asyncio.run(result)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``passgate`` command; its exit status."""
    args = parser().parse_args(argv)
    try:
        return _run(args.handler, args)
    except PassgateError as error:
        print(f"error: {error.code} {error.message}", file=sys.stderr)
        return 1
