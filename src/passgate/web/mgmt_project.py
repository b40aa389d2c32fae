"""Project settings over the management API (passgate's own; see docs/decisions.md).

``GET /v1/mgmt/project/settings`` answers the calling project's settings as one object;
``POST`` takes a partial object of the same shape (a JSON merge patch: ``null`` resets a
setting to its default) and answers the full settings as stored.
"""

from __future__ import annotations

from passgate.auth import oauth_secrets
from passgate.mgmt.project_settings import change_settings
from passgate.mgmt.projects import get_project
from passgate.models.projects import ProjectSettings
from passgate.web.bearer import AuthCall
from passgate.web.schemas.project import SettingsPatch


async def read_settings(call: AuthCall) -> ProjectSettings:
    """The project's settings as stored now."""
    return oauth_secrets.shown((await get_project(call.ctx.db, call.project.id)).settings)


async def update_settings(
    call: AuthCall,
    body: SettingsPatch,
) -> ProjectSettings:
    """Change some settings; validated as a whole (E011003 wrong type or range, E011004
    unknown setting or unacceptable URL, naming the setting). Every instance serves the
    change within its project cache TTL, this one at once."""
    return oauth_secrets.shown((await change_settings(call.ctx, call.project.id, body)).settings)
