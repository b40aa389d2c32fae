"""``user import``, ``user export`` and ``user set-password``: moving users in and out.

``import FILE`` streams a JSON-lines file of user records (``mgmt/user_records.py``) in
batches, one transaction each, with a progress bar; run again after a crash, it goes on
after the last committed batch (the file is known by its SHA-256). ``--source auth0 |
firebase | supabase`` reads another system's export instead (with ``--hashes``: Auth0's
password-hash export, Firebase's hash parameters). Each refused line is printed with its
number and reason.

``export`` writes the project's users in the same format (password hashes included; TOTP
secrets sealed unless ``--clear-secrets``), so an export imports back unchanged.

``set-password LOGIN_ID`` reads the password from standard input (never from the command
line, where other users and the shell history would see it).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from passgate.auth import audit
from passgate.cli.runner import acting_on, add_json_option, add_project_option
from passgate.config import Settings
from passgate.errors import MissingArgument
from passgate.mgmt import import_sources, passwords, user_export, user_import

_DIGEST_CHUNK = 1 << 20


def add_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importing = actions.add_parser("import", help="import users from a JSON-lines file (resumable) or another system")
    importing.add_argument("file", metavar="FILE", type=Path)
    importing.add_argument("--source", choices=import_sources.SOURCES, help="the file is this system's export")
    importing.add_argument("--hashes", type=Path, help="Auth0's password-hash export; Firebase's hash parameters")
    importing.add_argument("--keep-metadata", action="store_true", help="carry the source's metadata as attributes")
    importing.add_argument("--dry-run", action="store_true", help="check every line, write nothing")
    importing.add_argument("--batch-size", type=int, default=user_import.BATCH_SIZE, help="users per transaction")
    importing.add_argument("--no-progress", action="store_true", help="no progress bar")
    _common(importing, _import)

    exporting = actions.add_parser("export", help="write every user as JSON lines (the import format)")
    exporting.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    exporting.add_argument(
        "--clear-secrets", action="store_true", help="TOTP secrets in the clear (default: sealed, as stored)"
    )
    _common(exporting, _export)

    setting = actions.add_parser("set-password", help="set a user's password, read from standard input")
    setting.add_argument("login_id", metavar="LOGIN_ID")
    setting.add_argument("--temporary", action="store_true", help="the user must replace it at its next sign-in")
    _common(setting, _set_password)


def _common(parser: argparse.ArgumentParser, handler: Any) -> None:
    add_project_option(parser)
    add_json_option(parser)
    parser.set_defaults(handler=handler)


# --- import ----------------------------------------------------------------------------------
async def _import(settings: Settings, args: argparse.Namespace) -> int:
    started = time.monotonic()
    async with acting_on(settings, args.project) as (ctx, project):
        with _input(args) as (digest, lines, bar), bar:

            def shown(last_line: int, outcome: user_import.Outcome) -> None:
                bar.set_postfix(imported=outcome.imported, failed=len(outcome.failures), refresh=False)
                bar.update(last_line - bar.n)

            outcome = await user_import.import_users(
                ctx,
                project,
                lines,
                digest=digest,
                dry_run=args.dry_run,
                batch_size=max(1, args.batch_size),
                on_batch=shown,
            )
        if not args.dry_run:
            await audit.record(ctx, project.id, "cli.user.import", detail={"imported": outcome.imported})
    _report(outcome, time.monotonic() - started, as_json=args.json, dry_run=args.dry_run)
    return 0 if not outcome.failures else 3


@contextmanager
def _input(args: argparse.Namespace) -> Iterator[tuple[str, Iterator[user_import.Line], tqdm[Any]]]:
    """The file's digest (for resuming; none for another system's export), its lines (read
    as they are imported), and a progress bar counting them."""
    if args.source:
        hashes = args.hashes.read_bytes() if args.hashes else None
        records = list(
            import_sources.convert(args.source, args.file.read_bytes(), hashes, keep_metadata=args.keep_metadata)
        )
        yield "", user_import.converted(records), _bar(args, len(records), "users")
        return
    digest, total = _digest(args.file), _line_count(args.file)
    with args.file.open("rb") as handle:
        yield digest, user_import.json_lines(handle), _bar(args, total, "lines")


def _bar(args: argparse.Namespace, total: int, unit: str) -> tqdm[Any]:
    return tqdm(total=total, unit=f" {unit}", disable=args.no_progress or None, file=sys.stderr, smoothing=0.1)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_DIGEST_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(_DIGEST_CHUNK), b""))


def _report(outcome: user_import.Outcome, seconds: float, *, as_json: bool, dry_run: bool) -> None:
    failures = [{"line": f.line, "loginId": f.login_id, "reason": f.reason} for f in outcome.failures]
    summary = {
        "imported": outcome.imported,
        "failed": len(failures),
        "resumedAfterLine": outcome.resumed_after,
        "seconds": round(seconds, 1),
        "dryRun": dry_run,
    }
    if as_json:
        print(json.dumps({**summary, "failures": failures}))
        return
    for failure in failures:
        print(f"line {failure['line']}: {failure['loginId'] or '-'}: {failure['reason']}")
    verb = "would import" if dry_run else "imported"
    resumed = f" (resumed after line {outcome.resumed_after})" if outcome.resumed_after else ""
    print(f"{verb} {outcome.imported} users, {len(failures)} refused, in {seconds:.1f} s{resumed}")


# --- export ----------------------------------------------------------------------------------
async def _export(settings: Settings, args: argparse.Namespace) -> int:
    async with acting_on(settings, args.project) as (ctx, project):
        out: IO[str] = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
        count = 0
        try:
            async for record in user_export.export_users(ctx, project, clear_secrets=args.clear_secrets):
                out.write(json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n")
                count += 1
        finally:
            if args.output:
                out.close()
        await audit.record(
            ctx, project.id, "cli.user.export", detail={"users": count, "clearSecrets": args.clear_secrets}
        )
    if args.output:
        print(f"exported {count} users to {args.output}", file=sys.stderr)
    return 0


# --- set-password ----------------------------------------------------------------------------
async def _set_password(settings: Settings, args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    async with acting_on(settings, args.project) as (ctx, project):
        await passwords.set_password(ctx, project, args.login_id, password, active=not args.temporary)
        await audit.record(
            ctx, project.id, "cli.user.set_password", login_id=args.login_id, detail={"temporary": args.temporary}
        )
    print(f"password set for {args.login_id}" + (" (temporary)" if args.temporary else ""), file=sys.stderr)
    return 0


def _password_from_stdin() -> str:
    """The password: typed without echo on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != password:
            raise MissingArgument("The passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise MissingArgument("No password on standard input")
    return password
