"""Endpoints of ``/v1/auth/oauth/*`` and the providers' return, ``/v1/oauth/callback``."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from passgate.auth import oauth, oauth_accounts
from passgate.auth.context import AuthContext
from passgate.web.bearer import AuthCall, caller_of
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import login_options
from passgate.web.schemas.base import required
from passgate.web.schemas.oauth import OAuthExchangeRequest, OAuthStartQuery, OAuthStartRequest, OAuthStartResponse
from passgate.web.schemas.sessions import JWTResponse


async def _start(
    mode: str,
    query: OAuthStartQuery,
    body: OAuthStartRequest | None,
    call: AuthCall,
    request: Request,
    response: Response,
) -> OAuthStartResponse:
    begin = oauth.Start(
        provider=required(query.provider, "provider"),
        redirect_url=query.redirectURL,
        options=login_options(body),
        callback_url=callback_url(call.ctx, request),
        mode=mode,
        login_hint=query.loginHint or "",
        refresh_jwt=call.refresh_jwt,
        from_browser="origin" in request.headers,
    )
    return answer_started(await oauth.start(call.ctx, call.project, begin), response)


def answer_started(started: oauth.Started, response: Response) -> OAuthStartResponse:
    """The start's ``{url}``, its binding cookie set on ``response`` when it has one."""
    if started.binding_cookie is not None:
        name, value = started.binding_cookie
        # Sent back only to the callback, by the browser that started (SameSite=None: the
        # start is a cross-site fetch, the return a cross-site navigation from the provider).
        response.set_cookie(
            name,
            value,
            max_age=oauth.FLOW_SECONDS,
            path=oauth.CALLBACK_PATH,
            secure=True,
            httponly=True,
            samesite="none",
        )
    return OAuthStartResponse(url=started.url)


def public_base(ctx: AuthContext, request: Request) -> str:
    """The URL providers and IdPs reach passgate at: ``public_url`` when set, else the URL
    this request reached (callbacks, the SAML SP's entity ID and ACS live under it)."""
    return ctx.public_url or str(request.base_url).rstrip("/")


def callback_url(ctx: AuthContext, request: Request) -> str:
    """passgate's callback as the provider must call it."""
    return public_base(ctx, request) + oauth.CALLBACK_PATH


async def form_of(request: Request) -> dict[str, str]:
    """A provider's form-encoded POST (its size already capped by ``web/bodycap.py``)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


async def start(
    query: OAuthStartQuery, call: AuthCall, request: Request, response: Response, body: OAuthStartRequest | None = None
) -> OAuthStartResponse:
    """Start a social login (sign-in, or sign-up of a new user): answers the provider's URL."""
    return await _start(oauth_accounts.SIGN_UP_OR_IN, query, body, call, request, response)


async def start_sign_up(
    query: OAuthStartQuery, call: AuthCall, request: Request, response: Response, body: OAuthStartRequest | None = None
) -> OAuthStartResponse:
    """Start a social login that may only create a new user (Go's ``signUp``)."""
    return await _start(oauth_accounts.SIGN_UP, query, body, call, request, response)


async def start_sign_in(
    query: OAuthStartQuery, call: AuthCall, request: Request, response: Response, body: OAuthStartRequest | None = None
) -> OAuthStartResponse:
    """Start a social login that may only sign in an existing user (Go's ``signIn``)."""
    return await _start(oauth_accounts.SIGN_IN, query, body, call, request, response)


async def exchange(body: OAuthExchangeRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Exchange the one-time code of a social-login or SSO redirect for a session (once)."""
    tokens = await oauth.exchange(call.ctx, call.project, required(body.code, "code"), call.caller)
    return jwt_answer(call.project, tokens, response)


async def callback(ctx: AuthContext, request: Request) -> Response:
    """The provider's return (GET, or POST for ``response_mode=form_post``): redirects to
    the app with ``code`` (or ``err``)."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(await form_of(request))
    return redirect_to_app(await oauth.callback(ctx, params, dict(request.cookies), caller_of(request)))


def redirect_to_app(returned: oauth.Returned) -> Response:
    """The 303 to the app's URL (``code`` or ``err``), the flow's binding cookie cleared."""
    redirect = RedirectResponse(returned.location, status_code=303)
    if returned.cookie_name:
        redirect.delete_cookie(
            returned.cookie_name, path=oauth.CALLBACK_PATH, secure=True, httponly=True, samesite="none"
        )
    return redirect
