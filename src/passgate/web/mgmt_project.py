"""Project settings over the management API (passgate's own; see docs/decisions.md).

``GET /v1/mgmt/project/settings`` answers the calling project's settings as one object;
``POST`` takes a partial object of the same shape (a JSON merge patch: ``null`` resets a
setting to its default) and answers the full settings as stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body

from passgate.mgmt.project_settings import change_settings
from passgate.mgmt.projects import get_project
from passgate.models import ProjectSettings
from passgate.web.bearer import MgmtDep

_EXAMPLE = {"otp_length": 8, "enabled_channels": ["email", "sms"], "default_locale": None}


async def read_settings(call: MgmtDep) -> ProjectSettings:
    """The project's settings as stored now."""
    return (await get_project(call.ctx.db, call.project.id)).settings


async def update_settings(
    call: MgmtDep,
    body: Annotated[
        dict[str, Any],
        Body(description="The settings to change (merge patch; null resets one)", examples=[_EXAMPLE]),
    ],
) -> ProjectSettings:
    """Change some settings; validated as a whole (E011003 wrong type or range, E011004
    unknown setting or unacceptable URL, naming the setting). Every instance serves the
    change within its project cache TTL, this one at once."""
    return (await change_settings(call.ctx, call.project.id, body)).settings


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("GET", "/v1/mgmt/project/settings", read_settings, "management"),
    ("POST", "/v1/mgmt/project/settings", update_settings, "management"),
]
