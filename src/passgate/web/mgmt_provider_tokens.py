"""Endpoint of ``GET /v1/mgmt/user/provider/token`` (``mgmt.user.get_provider_token``)."""

from __future__ import annotations

from passgate.mgmt.provider_tokens import provider_token
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import required
from passgate.web.schemas.oauth import ProviderTokenQuery, ProviderTokenResponse


async def get_provider_token(query: ProviderTokenQuery, call: AuthCall) -> ProviderTokenResponse:
    """The user's tokens at a social login provider whose ``store_tokens`` is on (as last
    received: ``forceRefresh`` is not supported and answers the same)."""
    found = await provider_token(
        call.ctx,
        call.project,
        required(query.loginId, "loginId"),
        required(query.provider, "provider"),
        with_refresh_token=bool(query.withRefreshToken),
    )
    return ProviderTokenResponse(
        provider=found.provider,
        providerUserId=found.provider_user_id,
        accessToken=found.access_token,
        expiration=found.expiration,
        scopes=list(found.scopes),
        refreshToken=found.refresh_token,
    )
