"""Endpoints of ``/v1/auth/sso/*`` and their ``/v1/auth/saml/*`` aliases (the browser SDK
and Python's deprecated ``saml`` use those: contract part 2 §4.1)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from passgate.auth import sso
from passgate.web.auth_oauth import answer_started, callback_url
from passgate.web.bearer import AuthCall
from passgate.web.parsing import login_options
from passgate.web.schemas.base import required
from passgate.web.schemas.oauth import OAuthStartRequest, OAuthStartResponse
from passgate.web.schemas.sso import SSOStartQuery


async def start(
    query: SSOStartQuery, call: AuthCall, request: Request, response: Response, body: OAuthStartRequest | None = None
) -> OAuthStartResponse:
    """Start a tenant's SSO sign-in (``tenant``: its ID, a user's email or its name):
    answers the identity provider's URL."""
    begin = sso.Start(
        tenant=required(query.tenant or query.initiatedEmail, "tenant"),
        redirect_url=query.redirectURL,
        options=login_options(body),
        callback_url=callback_url(call.ctx, request),
        sso_id=query.ssoId or "",
        prompt=query.prompt or "",
        login_hint=query.loginHint or "",
        force_authn=(query.forceAuthn or "").lower() == "true",
        refresh_jwt=call.refresh_jwt,
        from_browser="origin" in request.headers,
    )
    return answer_started(await sso.start(call.ctx, call.project, begin), response)
