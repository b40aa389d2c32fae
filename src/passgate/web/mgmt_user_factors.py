"""Endpoints of the management routes over a user's factors (``/v1/mgmt/user/passkey*``,
``/v1/mgmt/user/totp/*``, ``/v1/mgmt/user/recovery-codes/*``)."""

from __future__ import annotations

from passgate.mgmt import user_factors
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.passkeys import PasskeyDeleteRequest, PasskeyOut, PasskeysResponse
from passgate.web.schemas.users import MgmtUserRefRequest


async def remove_totp(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Remove the user's authenticator app (E112102 if there is no such user)."""
    await user_factors.remove_totp(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def remove_recovery_codes(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Nothing to remove (passgate issues no recovery codes); E112102 for an unknown user."""
    await user_factors.remove_recovery_codes(call.ctx, call.project, required(body.loginId or body.userId, "loginId"))
    return EmptyResponse()


async def list_passkeys(body: MgmtUserRefRequest, call: AuthCall) -> PasskeysResponse:
    """The user's passkeys (``createdTime`` in unix seconds)."""
    found = await user_factors.list_passkeys(call.ctx, call.project, required(body.loginId, "loginId"))
    return PasskeysResponse(passkeys=[PasskeyOut.of(credential) for credential in found])


async def remove_passkey(body: PasskeyDeleteRequest, call: AuthCall) -> EmptyResponse:
    """Remove one passkey of the user."""
    credential_id = required(body.credentialId, "credentialId")
    await user_factors.remove_passkey(call.ctx, call.project, required(body.loginId, "loginId"), credential_id)
    return EmptyResponse()


async def remove_passkeys(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Remove every passkey of the user."""
    await user_factors.remove_passkeys(call.ctx, call.project, required(body.loginId, "loginId"))
    return EmptyResponse()
