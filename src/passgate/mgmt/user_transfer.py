"""The management API's import (``/v1/mgmt/user/import``): the files arrive base64 in the
request; another system's export is converted (``import_sources``), passgate's own JSON
lines are read as they are; then ``user_import`` does the rest, in one go (no resume: a
request is retried whole, and users already imported are refused as taken, not doubled).
"""

from __future__ import annotations

import base64
import binascii

from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument
from passgate.mgmt import import_sources, user_import
from passgate.models.projects import Project

PASSGATE = "passgate"  # the source naming passgate's own format (what ``passgate user export`` writes)


async def import_encoded(
    ctx: AuthContext, project: Project, *, source: str, users: str, hashes: str, dry_run: bool
) -> user_import.Outcome:
    """Import the users of base64 files; ``InvalidArgument`` for an unknown source, a file
    that is not base64 or cannot be read at all, or one that holds no users."""
    users_file, hashes_file = _decoded(users, "users"), _decoded(hashes, "hashes")
    lines = _lines(source.strip().lower(), users_file, hashes_file)
    outcome = await user_import.import_users(ctx, project, lines, dry_run=dry_run, keep_users=True)
    user_import.refuse_empty(outcome)
    return outcome


def _lines(source: str, users: bytes, hashes: bytes) -> list[user_import.Line]:
    if source == PASSGATE:
        return list(user_import.json_lines(users.splitlines()))
    if source not in import_sources.SOURCES:
        raise InvalidArgument(f"source must be one of {', '.join((*import_sources.SOURCES, PASSGATE))}")
    try:
        return list(user_import.converted(import_sources.convert(source, users, hashes or None)))
    except import_sources.SourceError as exc:
        raise InvalidArgument(f"{source} export: {exc}") from exc


def _decoded(text: str, name: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgument(f"{name} must be base64") from exc
