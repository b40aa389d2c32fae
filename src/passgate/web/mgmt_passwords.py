"""Endpoints of ``/v1/mgmt/user/password/*`` and ``/v1/mgmt/password/settings``."""

from __future__ import annotations

from passgate.mgmt import passwords
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.passwords import (
    MgmtPasswordExpireRequest,
    MgmtPasswordSetRequest,
    PasswordSettings,
    PasswordSettingsQuery,
    PasswordSettingsRequest,
)


async def set_temporary(body: MgmtPasswordSetRequest, call: AuthCall) -> EmptyResponse:
    """Set a temporary password: the user must replace it at its next sign-in."""
    return await _set(body, call, active=False)


async def set_active(body: MgmtPasswordSetRequest, call: AuthCall) -> EmptyResponse:
    """Set a password the user signs in with as it is."""
    return await _set(body, call, active=True)


async def set_deprecated(body: MgmtPasswordSetRequest, call: AuthCall) -> EmptyResponse:
    """The deprecated ``/set``: a temporary password, as the SDK documents."""
    return await _set(body, call, active=False)


async def _set(body: MgmtPasswordSetRequest, call: AuthCall, *, active: bool) -> EmptyResponse:
    login_id, password = required(body.loginId, "loginId"), required(body.password, "password")
    await passwords.set_password(call.ctx, call.project, login_id, password, active=active)
    return EmptyResponse()


async def expire(body: MgmtPasswordExpireRequest, call: AuthCall) -> EmptyResponse:
    """Expire the user's password (E062904 if it has none)."""
    await passwords.expire_password(call.ctx, call.project, required(body.loginId, "loginId"))
    return EmptyResponse()


async def load_settings(query: PasswordSettingsQuery, call: AuthCall) -> PasswordSettings:
    """The password policy of the project, or of the tenant named (its own, else the project's)."""
    return PasswordSettings.of(await passwords.policy(call.ctx, call.project, query.tenantId or ""))


async def save_settings(body: PasswordSettingsRequest, call: AuthCall) -> EmptyResponse:
    """Change the password policy of the project, or of the tenant named (the fields given)."""
    await passwords.change_policy(call.ctx, call.project, body.tenantId or "", body.changes())
    return EmptyResponse()
