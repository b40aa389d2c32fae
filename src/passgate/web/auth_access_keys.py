"""Access-key exchange (contract §2.7): ``POST /v1/auth/accesskey/exchange`` with bearer
``P:<accessKey>`` (or ``P:<accessKey>:<authMgmtKey>``) answers a session JWT.
"""

from __future__ import annotations

from passgate.auth import access_keys
from passgate.web.bearer import AuthCall
from passgate.web.schemas.access_keys import ExchangeRequest, ExchangeResponse


async def exchange(call: AuthCall, body: ExchangeRequest | None = None) -> ExchangeResponse:
    """A session JWT for the access key in the bearer (any body, or none)."""
    options = body.to_options() if body else access_keys.ExchangeOptions()
    session = await access_keys.exchange(call.ctx, call.project, call.bearer_secret, options, call.caller)
    return ExchangeResponse(keyId=session.key_id, sessionJwt=session.session_jwt, expiration=session.expires_at)
