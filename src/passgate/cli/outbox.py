"""``outbox list|retry``: inspect and re-drive queued messages."""

from __future__ import annotations

import argparse
import sys

from passgate.cli.output import show_rows
from passgate.cli.runner import add_json_option, database
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.storage import outbox_store


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = commands.add_parser("outbox", help="inspect and re-drive queued messages")
    actions = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list messages, newest first")
    listing.add_argument("--state", choices=["queued", "sending", "retry", "sent", "failed", "dropped"])
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    add_json_option(listing)
    listing.set_defaults(handler=_list)
    retry = actions.add_parser("retry", help="queue failed messages again")
    retry.add_argument("ids", nargs="*", help="message IDs (default: every failed message)")
    retry.set_defaults(handler=_retry)


async def _retry(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db, db.transaction() as tx:
        count = await outbox_store.requeue_failed(tx, args.ids or None, int(SystemClock().now() * 1000))
    print(f"passgate: {count} message(s) queued again", file=sys.stderr)
    return 0 if count or not args.ids else 1


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db, db.transaction(write=False) as tx:
        messages = await outbox_store.list_messages(tx, state=args.state, limit=args.limit)
    rows = [
        {"id": m.id, "channel": m.channel, "state": m.state, "attempts": m.attempts, "lastError": m.last_error}
        for m in messages
    ]
    show_rows(rows, as_json=args.json, columns=["id", "channel", "state", "attempts", "lastError"])
    return 0
