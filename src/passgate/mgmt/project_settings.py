"""Changing a project's settings at run time, from the CLI or the management API.

A change is a JSON merge patch (RFC 7396) of the settings object: the keys it names are
replaced, nested objects are merged, and ``null`` puts a setting back to its default. The
result is validated as a whole before it is stored, so a bad value changes nothing.

The process that made the change serves it at once (its cache entry is dropped, and its
union of allowed origins updated); every other worker and instance within its project
cache TTL (``project_cache_seconds``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from limits import parse_many
from pydantic import BaseModel, ValidationError

from passgate.auth import oauth_secrets, redirects
from passgate.auth.context import AuthContext
from passgate.auth.origins import MalformedOrigin, parse_origin
from passgate.errors import InvalidArgument, ProjectNotFound, RedirectNotAllowed, ValidationFailed
from passgate.models.projects import Project, ProjectSettings
from passgate.storage import projects_store


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``target`` with the RFC 7396 merge ``patch`` applied (neither is modified).

    Objects merge only where ``target`` has an object too, so the recursion is no deeper
    than the settings themselves, whatever the patch's nesting.
    """
    merged = dict(target)
    for key, value in patch.items():
        current = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge_patch(current, value)
        else:
            merged[key] = value
    return merged


def _check_known(patch: Mapping[str, Any], model: type[BaseModel], prefix: str = "") -> None:
    """``InvalidArgument`` naming the first key that is no setting (a typo must not pass silently)."""
    for key, value in patch.items():
        field = model.model_fields.get(key)
        if field is None:
            raise InvalidArgument(f"Unknown setting: {prefix}{key}")
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel) and isinstance(value, Mapping):
            _check_known(value, nested, f"{prefix}{key}.")


def _validated(values: Mapping[str, Any]) -> ProjectSettings:
    try:
        settings = ProjectSettings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValidationFailed(f"Invalid value for {where}: {first['msg']}") from exc
    _check_redirects(settings)
    _check_origins(settings)
    _check_windows(settings)
    return settings


_LONGEST_WINDOW = 366 * 86_400  # seconds; counters in Redis must be able to expire


def _check_windows(settings: ProjectSettings) -> None:
    """Every rate-limit window lasts from one second to a year."""
    for name, value in settings.rate_limits.model_dump().items():
        if value.strip() and not all(1 <= item.get_expiry() <= _LONGEST_WINDOW for item in parse_many(value)):
            raise InvalidArgument(f"Invalid value for rate_limits.{name}: windows last 1 second to 366 days")


def _check_redirects(settings: ProjectSettings) -> None:
    """Approved URLs must be well-formed entries, and the default and invite URLs among them."""
    try:
        for entry in settings.approved_redirect_urls:
            redirects.validate_entry(entry)
    except RedirectNotAllowed as exc:
        raise InvalidArgument(f"Invalid value for approved_redirect_urls: {exc.message}") from exc
    for name, url in (("default_redirect_url", settings.default_redirect_url), ("invite_url", settings.invite_url)):
        if not url:
            continue
        try:
            redirects.resolve(None, approved=list(settings.approved_redirect_urls), default=url)
        except RedirectNotAllowed as exc:
            raise InvalidArgument(f"Invalid value for {name}: {exc.message}") from exc


def _check_origins(settings: ProjectSettings) -> None:
    """Allowed origins are exact origins (``scheme://host[:port]``), ``http`` only on loopback."""
    for entry in settings.allowed_origins or ():
        try:
            parse_origin(entry)
        except MalformedOrigin as exc:
            raise InvalidArgument(f"Invalid value for allowed_origins: {entry!r} {exc}") from exc


def patched(settings: ProjectSettings, patch: Mapping[str, Any]) -> ProjectSettings:
    """``settings`` with ``patch`` applied and validated; ``InvalidArgument`` for an unknown
    setting or an unacceptable URL, ``ValidationFailed`` for a wrong type or range. Both name
    the setting."""
    if not isinstance(patch, Mapping):
        raise ValidationFailed("The settings change must be a JSON object")
    _check_known(patch, ProjectSettings)
    return _validated(merge_patch(settings.model_dump(mode="json"), oauth_secrets.kept_as_shown(patch)))


async def change_settings(ctx: AuthContext, project_id: str, patch: Mapping[str, Any]) -> Project:
    """Apply ``patch`` to the project's settings (see ``patched``) and store them; the
    project as it now is. Concurrent changes apply one after the other (the row is locked)."""
    async with ctx.db.transaction() as tx:
        project = await projects_store.lock_project(tx, project_id)
        if project is None:
            raise ProjectNotFound(f"No project {project_id}")
        settings = oauth_secrets.sealed_settings(ctx.secrets, project_id, patched(project.settings, patch))
        await projects_store.update_settings(tx, project_id, settings)
    ctx.projects.forget(project_id)
    changed = dataclasses.replace(project, settings=settings)
    ctx.origins.put(changed)
    return changed
