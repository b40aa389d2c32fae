"""Endpoints of ``/v1/auth/sso/*`` and their ``/v1/auth/saml/*`` aliases (the browser SDK
and Python's deprecated ``saml`` use those: contract part 2 §4.1)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from passgate.auth import saml, sso
from passgate.auth.context import AuthContext
from passgate.mgmt import sso as sso_settings
from passgate.web.auth_oauth import answer_started, callback_url, form_of, public_base, redirect_to_app
from passgate.web.bearer import AuthCall, caller_of
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
        # The tenant by its ID, name or a user's email; without one, by the email of loginHint.
        tenant=required(query.tenant or query.initiatedEmail or query.loginHint, "tenant"),
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
    return answer_started(await sso.start(call.ctx, call.project, begin, public_base(call.ctx, request)), response)


async def saml_acs(ctx: AuthContext, request: Request, project_id: str, tenant_id: str) -> Response:
    """The IdP's POSTed SAML response (the SP's assertion consumer service): redirects to the
    app with ``code`` (or ``err``)."""
    form = await form_of(request)
    returned = await saml.acs(ctx, project_id, tenant_id, form, dict(request.cookies), caller_of(request))
    return redirect_to_app(returned)


async def saml_metadata(ctx: AuthContext, request: Request, project_id: str, tenant_id: str) -> Response:
    """The tenant's SP metadata (XML), for its IdP's administrators."""
    loaded = await sso_settings.load(ctx, await ctx.projects.get(project_id), tenant_id)
    sp = saml.service_provider(public_base(ctx, request), project_id, loaded.configuration)
    return Response(saml.sp_metadata(loaded.configuration, sp), media_type="application/samlmetadata+xml")
