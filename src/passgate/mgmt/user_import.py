"""Importing users in batches: records (``user_records``) read from a stream, each batch
checked and written in one transaction, every user all or nothing.

A line that cannot be imported (unreadable, invalid, a login ID or user ID already taken,
an unknown role or tenant, a passkey another user holds) is reported with its line number
and reason; the others go on. A batch whose write meets a conflict the checks did not
foresee (another writer took a login ID meanwhile) is written again one user per
transaction, so only the user at fault fails.

Given the file's digest, each batch's transaction also records how many lines are done
(``user_imports``): an import run again after a crash skips them and goes on after the
last committed batch, so nothing is imported twice and nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, PassgateError
from passgate.mgmt import custom_attributes, grants, import_sources, user_records
from passgate.mgmt.user_records import UserRecord
from passgate.models.projects import Project
from passgate.models.users import User
from passgate.storage import (
    identities_store,
    passwords_store,
    totp_store,
    user_imports_store,
    users_store,
    webauthn_store,
)
from passgate.storage.database import IntegrityViolation, Transaction

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Line:
    """One line of the input: its number (from 1), the JSON it held, or why it could not be read."""

    number: int
    record: Any = None
    error: str = ""


@dataclass(frozen=True)
class Failure:
    line: int
    login_id: str
    reason: str


@dataclass
class Outcome:
    """What an import did: how many users it created (the users themselves when asked), the
    lines it refused, and the lines an earlier run of the same file had already committed."""

    imported: int = 0
    failures: list[Failure] = field(default_factory=list)
    resumed_after: int = 0
    users: list[User] = field(default_factory=list)


class _DryRun(Exception):
    """Raised to roll a dry run's batch back once it has been checked."""


async def import_users(
    ctx: AuthContext,
    project: Project,
    lines: Iterable[Line],
    *,
    digest: str = "",
    dry_run: bool = False,
    keep_users: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int, Outcome], None] | None = None,
) -> Outcome:
    """Import every line (after those an earlier run of the file with ``digest`` committed).

    ``dry_run`` checks everything and writes nothing; ``keep_users`` keeps the created users
    in the outcome (for an API answer: not for a million); ``on_batch(last_line, outcome)``
    is called after each committed batch (a progress display).
    """
    outcome = Outcome()
    if digest and not dry_run:
        async with ctx.db.transaction(write=False) as tx:
            outcome.resumed_after = (await user_imports_store.progress(tx, project.id, digest)).lines_done
    remaining = (line for line in lines if line.number > outcome.resumed_after)
    for batch in _batches(remaining, batch_size):
        await _import_batch(ctx, project, batch, outcome, digest=digest, dry_run=dry_run, keep_users=keep_users)
        if on_batch is not None:
            on_batch(batch[-1].number, outcome)
    return outcome


def _batches(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    while batch := list(islice(lines, size)):
        yield batch


@dataclass(frozen=True)
class _Parsed:
    line: int
    record: UserRecord


async def _import_batch(
    ctx: AuthContext,
    project: Project,
    batch: list[Line],
    outcome: Outcome,
    *,
    digest: str,
    dry_run: bool,
    keep_users: bool,
) -> None:
    failures: list[Failure] = []
    parsed = await _read(ctx, project, batch, failures)
    try:
        async with ctx.db.transaction() as tx:
            if ctx.db.dialect == "postgresql":
                # The driver prepares a statement run five times; its generic plan, made while
                # the tables were nearly empty, scanned them whole for the batch's login-ID
                # check as they grew (60,000 users: 36 s per 20,000). Plan each one afresh.
                await tx.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            written = await _write(tx, ctx, project, parsed, failures)
            await _checkpoint(tx, project, digest, batch, written, failures, ctx.now_ms())
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    except IntegrityViolation:
        failures = [f for f in failures if f.line not in {p.line for p in parsed}]
        written = await _write_one_by_one(ctx, project, parsed, failures)
        async with ctx.db.transaction() as tx:
            await _checkpoint(tx, project, digest, batch, written, failures, ctx.now_ms())
    outcome.imported += len(written)
    outcome.failures.extend(sorted(failures, key=lambda f: f.line))
    if keep_users:
        outcome.users.extend(written)


async def _read(ctx: AuthContext, project: Project, batch: list[Line], failures: list[Failure]) -> list[_Parsed]:
    """The batch's records, checked on their own (cleartext passwords hashed); the others
    become failures. A login ID or user ID twice in the batch fails its later lines."""
    parsed: list[_Parsed] = []
    seen: set[str] = set()
    now_ms = ctx.now_ms()
    for line in batch:
        if line.error:
            failures.append(Failure(line.number, "", line.error))
            continue
        try:
            record = user_records.user_of(line.record, project.id, ctx.secrets, now_ms)
        except PassgateError as error:
            failures.append(Failure(line.number, _login_id_of(line.record), error.message))
            continue
        names = {*record.user.login_ids, record.user.id}
        if names & seen:
            failures.append(
                Failure(line.number, record.user.login_ids[0], "a login ID or userId repeats an earlier line")
            )
            continue
        seen |= names
        parsed.append(_Parsed(line.number, record))
    return await _hash_cleartexts(ctx, parsed)


async def _hash_cleartexts(ctx: AuthContext, parsed: list[_Parsed]) -> list[_Parsed]:
    """Records given a cleartext password, with it hashed (on the hashing threads, at once)."""
    wanting = [p for p in parsed if p.record.cleartext]
    hashes = await asyncio.gather(*(ctx.passwords.hash(p.record.cleartext) for p in wanting))
    hashed = {p.line: h for p, h in zip(wanting, hashes, strict=True)}
    return [
        replace(p, record=replace(p.record, password_hash=hashed[p.line], cleartext="")) if p.line in hashed else p
        for p in parsed
    ]


def _login_id_of(record: Any) -> str:
    login_ids = record.get("loginIds") if isinstance(record, dict) else None
    first = login_ids[0] if isinstance(login_ids, list) and login_ids else ""
    return first[:320] if isinstance(first, str) else ""


async def _write(
    tx: Transaction, ctx: AuthContext, project: Project, parsed: list[_Parsed], failures: list[Failure]
) -> list[User]:
    """Write the users whose login IDs and user IDs are free and whose roles and tenants
    exist, each all or nothing: their rows in a few multi-row statements, then what few
    users have (grants, an app, passkeys) one by one."""
    taken = await users_store.taken(
        tx, project.id, [i for p in parsed for i in p.record.user.login_ids], [p.record.user.id for p in parsed]
    )
    accepted: list[UserRecord] = []
    for item in parsed:
        user = item.record.user
        if taken & {*user.login_ids, user.id}:
            failures.append(Failure(item.line, user.login_ids[0], "a login ID or userId is already used"))
            continue
        try:
            await _check_references(tx, project, item.record)
        except PassgateError as error:
            failures.append(Failure(item.line, user.login_ids[0], error.message))
            continue
        accepted.append(item.record)
    return await _insert(tx, ctx, accepted)


async def _write_one_by_one(
    ctx: AuthContext, project: Project, parsed: list[_Parsed], failures: list[Failure]
) -> list[User]:
    written: list[User] = []
    for item in parsed:
        try:
            async with ctx.db.transaction() as tx:
                written += await _write(tx, ctx, project, [item], failures)
        except IntegrityViolation:
            failures.append(Failure(item.line, item.record.user.login_ids[0], "a passkey or login ID is already used"))
    return written


async def _check_references(tx: Transaction, project: Project, record: UserRecord) -> None:
    """Roles, tenants and custom attributes the record names must exist (nothing is created)."""
    await custom_attributes.check_values(tx, project.id, record.user.custom_attributes)
    await grants.role_ids(tx, project.id, grants.PROJECT_SCOPE, record.role_names)
    await grants.require_tenants(tx, project.id, [tenant.tenant_id for tenant in record.tenants])
    for tenant in record.tenants:
        await grants.role_ids(tx, project.id, tenant.tenant_id, tenant.role_names)


async def _insert(tx: Transaction, ctx: AuthContext, records: list[UserRecord]) -> list[User]:
    """Store the users with everything they hold, their factor flags set as their rows are."""
    now_ms = ctx.now_ms()
    users = [
        replace(r.user, password=bool(r.password_hash), totp=bool(r.totp_sealed), webauthn=bool(r.passkeys))
        for r in records
    ]
    await users_store.insert_new_users(tx, users)
    await passwords_store.insert_many(tx, [r.password_row(r.password_hash, now_ms) for r in records if r.password_hash])
    await identities_store.insert_many(tx, [identity for r in records for identity in r.identities], now_ms)
    granted = []
    for record, user in zip(records, users, strict=True):
        if record.role_names:
            await grants.set_project_roles(tx, user.project_id, user.id, record.role_names)
        if record.tenants:
            await grants.set_tenants(tx, user.project_id, user.id, record.tenants, now_ms, leave_others=False)
        if record.totp_sealed:
            await totp_store.import_confirmed(tx, user.id, user.project_id, record.totp_sealed, now_ms)
        for credential in record.passkeys:
            await webauthn_store.insert_credential(tx, credential)
        if record.role_names or record.tenants:
            granted.append(user.id)
    if not granted:
        return users
    reloaded = {user.id: user for user in await users_store.find_many(tx, users[0].project_id, granted)}
    return [reloaded.get(user.id, user) for user in users]


async def _checkpoint(
    tx: Transaction,
    project: Project,
    digest: str,
    batch: list[Line],
    written: list[User],
    failures: list[Failure],
    now_ms: int,
) -> None:
    if digest:
        await user_imports_store.advance(tx, project.id, digest, batch[-1].number, len(written), len(failures), now_ms)


def json_lines(lines: Iterable[bytes | str]) -> Iterator[Line]:
    """The lines of a JSON-lines stream, numbered from 1 (blank lines counted, not imported)."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield Line(number, json.loads(text))
        except ValueError:
            yield Line(number, error="not a JSON object")


def converted(records: Iterable[import_sources.Record]) -> Iterator[Line]:
    """The users an export of another system converts to, numbered in order; a user the
    converter refused keeps its own reason, with where it was in its file."""
    for number, record in enumerate(records, start=1):
        if record.data is None:
            yield Line(number, error=f"{record.file} record {record.position}: {record.reason}")
        else:
            yield Line(number, record.data)


def refuse_empty(outcome: Outcome) -> None:
    """``InvalidArgument`` for an import that read no line at all."""
    if not outcome.imported and not outcome.failures and not outcome.resumed_after:
        raise InvalidArgument("The import holds no users")
