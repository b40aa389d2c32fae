"""``audit search``: the audit trail, newest first."""

from __future__ import annotations

import argparse

from passgate.auth import audit
from passgate.cli.output import show_rows
from passgate.cli.runner import add_json_option, add_project_option, chosen_project, runtime
from passgate.config import Settings
from passgate.models.audit import AuditQuery
from passgate.web.schemas.audit import wire_detail


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_parser = commands.add_parser("audit", help="search the audit trail")
    actions = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    search = actions.add_parser("search", help="events, newest first")
    add_project_option(search)
    search.add_argument("--user-id", action="append", default=[], help="only this user (repeatable)")
    search.add_argument("--login-id", action="append", default=[], help="only this login ID (repeatable)")
    search.add_argument("--action", action="append", default=[], help="only this action (repeatable)")
    search.add_argument("--since", type=float, help="only the last N seconds")
    search.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_json_option(search)
    search.set_defaults(handler=_search)


async def _search(settings: Settings, args: argparse.Namespace) -> int:
    async with runtime(settings) as opened:
        now_ms = opened.ctx.now_ms()
        query = AuditQuery(
            project_id=(await chosen_project(opened.db, args.project)).id,
            user_ids=tuple(args.user_id),
            actions=tuple(args.action),
            from_ms=now_ms - int(args.since * 1000) if args.since else None,
            limit=args.limit,
        )
        events = await audit.search(opened.ctx, query, tuple(args.login_id))
    rows = [
        {
            "occurred": e.occurred_at_ms,
            "action": e.action,
            "outcome": e.outcome,
            "userId": e.user_id,
            "loginId": e.login_id_masked,
            "ip": e.ip,
            "detail": wire_detail(e.detail),
        }
        for e in events
    ]
    if args.json:
        show_rows(rows, as_json=True, columns=())
    else:
        seconds = [{**row, "occurred": event.occurred_at_ms / 1000} for row, event in zip(rows, events, strict=True)]
        columns = ["occurred", "action", "outcome", "userId", "loginId", "ip", "detail"]
        show_rows(seconds, as_json=False, columns=columns, times={"occurred"})
    return 0
