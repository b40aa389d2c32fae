"""Endpoints of the management routes over a user's factors (``/v1/mgmt/user/totp/*``,
``/v1/mgmt/user/recovery-codes/*``)."""

from __future__ import annotations

from passgate.mgmt import user_factors
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.users import MgmtUserRefRequest


async def remove_totp(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Remove the user's authenticator app (E112102 if there is no such user)."""
    await user_factors.remove_totp(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def remove_recovery_codes(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Nothing to remove (passgate issues no recovery codes); E112102 for an unknown user."""
    await user_factors.remove_recovery_codes(call.ctx, call.project, required(body.loginId or body.userId, "loginId"))
    return EmptyResponse()
