"""``project create|list|show|settings``: projects and their settings."""

from __future__ import annotations

import argparse
import json
from typing import Any

from passgate.auth import oauth_secrets
from passgate.cli.output import show_object, show_rows
from passgate.cli.runner import add_json_option, add_project_option, chosen_project, database, runtime
from passgate.clock import SystemClock
from passgate.config import Settings
from passgate.errors import ValidationFailed
from passgate.mgmt.project_settings import change_settings, patched
from passgate.mgmt.projects import create_project, list_projects
from passgate.models.projects import Project, ProjectSettings
from passgate.wiring import load_secrets


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    project = commands.add_parser("project", help="manage projects")
    actions = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a project and print its ID and management key")
    create.add_argument("--name", required=True, help="project name")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.add_argument(
        "--settings", help="project settings as JSON, e.g. '{\"otp_length\": 8}' (default: the defaults)"
    )
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list projects")
    add_json_option(listing)
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="a project and its settings")
    add_project_option(show)
    add_json_option(show)
    show.set_defaults(handler=_show)
    change = actions.add_parser(
        "settings",
        help="print a project's settings, or change some (every server sees a change within seconds)",
        description="Without --set or --json-patch, prints the settings. Changes are validated as a "
        "whole; a bad value changes nothing.",
    )
    add_project_option(change)
    change.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        type=_assignment,
        metavar="KEY=VALUE",
        help="set one setting (repeatable); VALUE is JSON or else a string; KEY may be dotted "
        "(rate_limits.sends_per_project=100/minute); null resets to the default",
    )
    change.add_argument(
        "--json-patch", metavar="JSON", help="a JSON merge patch of the settings, e.g. '{\"otp_length\": 8}'"
    )
    add_json_option(change)
    change.set_defaults(handler=_settings)


def _assignment(text: str) -> tuple[list[str], Any]:
    """``KEY=VALUE`` as (key path, value); anything else is a usage error."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # a bare string: URLs, locales, limits
    return key.strip().split("."), value


def _json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{option} is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise ValidationFailed(f"{option} must be a JSON object")
    return value


def _patch_of(args: argparse.Namespace) -> dict[str, Any]:
    """One merge patch from ``--json-patch`` then each ``--set`` (later ones win)."""
    patch = _json_object(args.json_patch, "--json-patch") if args.json_patch else {}
    for path, value in args.assignments:
        target = patch
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[path[-1]] = value
    return patch


def _described(project: Project) -> dict[str, Any]:
    return {
        "projectId": project.id,
        "name": project.name,
        "created": project.created_at,
        "settings": oauth_secrets.shown(project.settings).model_dump(mode="json"),
    }


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    chosen = patched(ProjectSettings(), _json_object(args.settings, "--settings")) if args.settings else None
    async with database(settings) as db:
        created = await create_project(db, load_secrets(settings), SystemClock(), name=args.name, settings=chosen)
    project_id, key = created.project.id, created.management_key
    if args.json:
        print(json.dumps({"projectId": project_id, "name": args.name, "managementKey": key}))
    else:
        print(f"project ID      {project_id}\nmanagement key  {key}   (shown once)")
    return 0


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        projects = await list_projects(db)
    rows = [{"projectId": p.id, "name": p.name} for p in projects]
    show_rows(rows, as_json=args.json, columns=["projectId", "name"])
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db:
        described = _described(await chosen_project(db, args.project))
    if args.json:
        show_object(described, as_json=True)
    else:
        flat = {key: value for key, value in described.items() if key != "settings"} | described["settings"]
        show_object(flat, as_json=False, times={"created"})
    return 0


async def _settings(settings: Settings, args: argparse.Namespace) -> int:
    patch = _patch_of(args)
    async with runtime(settings) as opened:
        project = await chosen_project(opened.db, args.project)
        if patch:
            project = await change_settings(opened.ctx, project.id, patch)
    show_object(oauth_secrets.shown(project.settings).model_dump(mode="json"), as_json=args.json)
    return 0
