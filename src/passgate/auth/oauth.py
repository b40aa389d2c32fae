"""Social login: start → the provider → ``/v1/oauth/callback`` → the app → exchange.

1. **Start** checks the provider is configured and the redirect URL approved (before
   anything reaches the provider), then stores a flow: the keyed hash of a fresh ``state``,
   the PKCE verifier (sealed; S256 challenge sent), the OIDC ``nonce``, what the session
   will earn (``loginOptions``), and — when a browser started it — the hash of a binding
   cookie set on passgate's origin. The answer is the provider's authorization URL.
2. **Callback** finds the flow by ``state`` and claims it (one conditional update: a state
   works once, and only until it expires), checks the browser's binding cookie, exchanges
   the provider's code, verifies who the user is (``auth/oauth_providers.py``), finds or
   creates the account (``auth/oauth_accounts.py``) and redirects to the app's URL with a
   one-time ``code`` (256 bits, kept as a keyed hash, two minutes). A refusal after the
   flow is known redirects there with ``err=<errorCode>`` instead; nothing is created.
3. **Exchange** turns the code, once, into the usual JWT response (``amr`` ``oauth``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from passgate.auth import accounts, audit, factors, minting, oauth_accounts, oauth_secrets, redirects, sso_accounts
from passgate.auth.claims import SELECTED_TENANT
from passgate.auth.context import AuthContext, Caller
from passgate.auth.factors import Earned
from passgate.auth.oauth_providers import id_token_of
from passgate.errors import (
    InvalidOAuthCode,
    OAuthRefused,
    PassgateError,
    UnknownOAuthProvider,
)
from passgate.identifiers import new_opaque_id
from passgate.models.oauth import OAuthProvider, effective, multi_tenant_issuer
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.storage import oauth_flows_store
from passgate.storage.oauth_flows_store import EXCHANGED, FAILED, RETURNED, STARTED, Flow

OAUTH = "oauth"  # the amr of a social login
CALLBACK_PATH = "/v1/oauth/callback"
CALLBACK_ACTION = "oauth.callback"  # the audit action of the provider's return
FLOW_SECONDS = 600  # from start to the provider's return
CODE_SECONDS = 120  # from the return to the app's exchange
_CLAIMED = "claimed"  # the callback is talking to the provider


@dataclass(frozen=True)
class Start:
    provider: str
    redirect_url: str | None
    options: LoginOptions
    callback_url: str  # passgate's own /v1/oauth/callback, as the provider must call it
    mode: str = oauth_accounts.SIGN_UP_OR_IN
    login_hint: str = ""
    refresh_jwt: str | None = None
    from_browser: bool = False  # the start came from a page (it carried an Origin header)
    # A tenant's SSO through OIDC (``auth/sso.py``): its provider, already resolved, what
    # the callback needs to find the configuration again, and the IdP's ``prompt``.
    sso_provider: OAuthProvider | None = None
    sso: dict[str, str] | None = None
    prompt: str = ""


@dataclass(frozen=True)
class SignedIn:
    """Whom the provider's return signs in, and how the session will say so."""

    user_id: str
    first_seen: bool
    amr: str = OAUTH
    tenant_id: str = ""  # the session's ``dct`` (an SSO tenant)


@dataclass(frozen=True)
class Started:
    url: str
    binding_cookie: tuple[str, str] | None  # (name, value) to set on the browser, if bound


@dataclass(frozen=True)
class Returned:
    """Where the callback sends the browser, and the binding cookie to clear."""

    location: str
    cookie_name: str = ""


def binding_cookie_name(flow_id: str) -> str:
    """The cookie binding one flow to the browser that started it (one per flow, so two
    sign-ins in two tabs do not overwrite each other's)."""
    return f"pgoauth_{flow_id[:16]}"


def provider_of(project: Project, name: str) -> OAuthProvider:
    """The project's provider ``name`` with its preset applied; ``UnknownOAuthProvider`` if
    the project has none of that name."""
    configured = project.settings.oauth_providers.get(name)
    if configured is None:
        raise UnknownOAuthProvider(f"The project has no OAuth provider {name[:40]!r}")
    return effective(name, configured)


def approved_redirect(project: Project, requested: str | None) -> str:
    """The app URL a flow returns to: ``requested`` if approved, else the project's default
    (``RedirectNotAllowed`` otherwise, before anything is stored or sent to a provider)."""
    return redirects.resolve(
        requested,
        approved=list(project.settings.approved_redirect_urls),
        default=project.settings.default_redirect_url,
    )


@dataclass(frozen=True)
class NewFlow:
    flow: Flow
    state: str  # sent to the provider (kept only as a keyed hash)
    binding: str  # the browser cookie's value, "" when a backend started

    def started(self, url: str) -> Started:
        cookie = (binding_cookie_name(self.flow.id), self.binding) if self.binding else None
        return Started(url=url, binding_cookie=cookie)


async def store_flow(
    ctx: AuthContext,
    project: Project,
    *,
    provider_name: str,
    redirect_url: str,
    callback_url: str,
    options: LoginOptions,
    refresh_jwt: str | None,
    from_browser: bool,
    details: dict[str, Any],
    state: str = "",
) -> NewFlow:
    """A new started flow (social login or SSO) with a fresh state, the session's
    ``loginOptions`` (step-up and MFA checked against ``refresh_jwt`` now), and ``details``
    the return will need. ``state`` is made here unless given (SAML's RelayState, which the
    AuthnRequest carries before the flow is stored)."""
    prior = await factors.prior_session(ctx, project, options, refresh_jwt, None)
    state = state or secrets.token_urlsafe(32)
    binding = secrets.token_urlsafe(32) if from_browser else ""
    flow = Flow(
        id=new_opaque_id(),
        project_id=project.id,
        provider=provider_name,
        state_hash=_hash(ctx, "oauth-state", state),
        binding_hash=_hash(ctx, "oauth-binding", binding) if binding else "",
        status=STARTED,
        redirect_url=redirect_url,
        callback_url=callback_url,
        details={**details, "earned": Earned.of(options, prior).to_stored()},
        user_id=prior.user.id if prior else None,
        expires_at_ms=ctx.now_ms() + FLOW_SECONDS * 1000,
    )
    async with ctx.db.transaction() as tx:
        await oauth_flows_store.insert(tx, flow, ctx.now_ms())
    return NewFlow(flow, state, binding)


async def start(ctx: AuthContext, project: Project, begin: Start) -> Started:
    """Store a new flow and answer the provider's authorization URL (module docstring, 1)."""
    provider = begin.sso_provider or provider_of(project, begin.provider)
    redirect_url = approved_redirect(project, begin.redirect_url)
    endpoints = await ctx.oauth.endpoints(begin.provider, provider)
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
    new = await store_flow(
        ctx,
        project,
        provider_name=begin.provider,
        redirect_url=redirect_url,
        callback_url=begin.callback_url,
        options=begin.options,
        refresh_jwt=begin.refresh_jwt,
        from_browser=begin.from_browser,
        details={
            "verifier": ctx.secrets.seal(verifier.encode(), "oauth-verifier"),
            "nonce": nonce,
            "mode": begin.mode,
            **({"sso": begin.sso} if begin.sso else {}),
        },
    )
    url = prepare_grant_uri(
        endpoints.authorization,
        client_id=provider.client_id,
        response_type="code",
        redirect_uri=begin.callback_url,
        scope=list(provider.scopes),
        state=new.state,
        code_challenge=create_s256_code_challenge(verifier),  # type: ignore[no-untyped-call]
        code_challenge_method="S256",
        nonce=nonce if provider.kind == "oidc" else None,
        login_hint=begin.login_hint or None,
        prompt=begin.prompt or None,
        response_mode="form_post" if begin.provider == "apple" and "email" in provider.scopes else None,
    )
    return new.started(url)


async def callback(ctx: AuthContext, query: dict[str, str], cookies: dict[str, str], caller: Caller) -> Returned:
    """Handle the provider's return (module docstring, 2): the URL to send the browser to.
    ``OAuthRefused`` (answered as JSON, there being no app to send it to) when the state is
    unknown, used or expired."""
    flow = await _claim(ctx, query.get("state", ""))
    return await finish(ctx, flow, cookies, caller, lambda: _complete(ctx, flow, query), claimed=True)


async def finish(
    ctx: AuthContext,
    flow: Flow,
    cookies: dict[str, str],
    caller: Caller,
    complete: Callable[[], Awaitable[SignedIn]],
    *,
    claimed: bool,
) -> Returned:
    """The end of any return (social login, OIDC or SAML SSO): the browser's binding checked,
    ``complete`` signing the user in, the flow claimed now unless it already is, and the
    redirect to the app with a one-time code — or with ``err`` and nothing created. The
    outcome is audited (``oauth.callback``, with the reason of a refusal), the operators'
    view of why a sign-in failed."""
    cookie_name = binding_cookie_name(flow.id) if flow.binding_hash else ""
    detail = {"provider": flow.provider}
    try:
        binding = cookies.get(cookie_name, "") if cookie_name else ""
        if flow.binding_hash and not secrets.compare_digest(_hash(ctx, "oauth-binding", binding), flow.binding_hash):
            raise OAuthRefused("This sign-in was started in another browser")
        signed_in = await complete()
        if not claimed:
            await _claim_started(ctx, flow)
    except PassgateError as error:
        await _fail(ctx, flow)
        await audit.record(
            ctx,
            flow.project_id,
            CALLBACK_ACTION,
            error=error,
            caller=caller,
            detail={**detail, "reason": error.message},
        )
        return Returned(redirects.with_query(flow.redirect_url, err=error.code), cookie_name)
    code = secrets.token_urlsafe(32)
    async with ctx.db.transaction() as tx:
        details: dict[str, Any] = {
            **{key: flow.details[key] for key in ("sso", "saml") if key in flow.details},  # what the flow is of
            "earned": flow.details.get("earned", {}),
            "firstSeen": signed_in.first_seen,
            "amr": signed_in.amr,
            "tenantId": signed_in.tenant_id,
        }
        expires = ctx.now_ms() + CODE_SECONDS * 1000
        code_hash = _hash(ctx, "oauth-code", code)
        await oauth_flows_store.record_return(tx, flow.id, signed_in.user_id, code_hash, details, expires)
        await oauth_flows_store.advance(tx, flow.id, _CLAIMED, RETURNED, ctx.now_ms())
    await audit.record(ctx, flow.project_id, CALLBACK_ACTION, user_id=signed_in.user_id, caller=caller, detail=detail)
    return Returned(redirects.with_query(flow.redirect_url, code=code), cookie_name)


async def _claim(ctx: AuthContext, state: str) -> Flow:
    flow = await find_flow(ctx, state)
    await _claim_started(ctx, flow)
    return flow


async def find_flow(ctx: AuthContext, state: str) -> Flow:
    """The flow ``state`` belongs to, whatever its step; ``OAuthRefused`` when there is none."""
    if not state or len(state) > 200:
        raise OAuthRefused("The provider's return carries no state")
    async with ctx.db.transaction(write=False) as tx:
        flow = await oauth_flows_store.find_by_state(tx, _hash(ctx, "oauth-state", state))
    if flow is None:
        raise OAuthRefused("The state is unknown, expired or already used")
    return flow


async def _claim_started(ctx: AuthContext, flow: Flow) -> None:
    """Take the started flow for this return (once: a state works once)."""
    async with ctx.db.transaction() as tx:
        if not await oauth_flows_store.advance(tx, flow.id, STARTED, _CLAIMED, ctx.now_ms()):
            raise OAuthRefused("The state is unknown, expired or already used")


async def _complete(ctx: AuthContext, flow: Flow, query: dict[str, str]) -> SignedIn:
    """Check the provider's return and sign the user in at its word."""
    if query.get("error"):
        raise OAuthRefused(f"The provider answered {query['error'][:60]!r}")
    code = query.get("code", "")
    if not code or len(code) > 2000:
        raise OAuthRefused("The provider's return carries no code")
    project = await ctx.projects.get(flow.project_id)
    sso_ref = flow.details.get("sso")
    configuration, provider = (
        await sso_accounts.provider_for(ctx, project, sso_ref)
        if isinstance(sso_ref, dict)
        else (None, provider_of(project, flow.provider))
    )
    returned_by = query.get("iss")  # RFC 9207: the issuer says who answered (the mix-up defence)
    checks_issuer = provider.kind == "oidc" and not multi_tenant_issuer(flow.provider, provider)
    if returned_by is not None and checks_issuer and returned_by != provider.issuer:
        raise OAuthRefused("The return names another issuer than the provider's")
    endpoints = await ctx.oauth.endpoints(flow.provider, provider)
    verifier = ctx.secrets.unseal(str(flow.details["verifier"]), "oauth-verifier").decode()
    now = ctx.clock.now()
    secret = oauth_secrets.client_secret(ctx.secrets, project.id, flow.provider, provider, now)
    token = await ctx.oauth.exchange_code(
        provider, endpoints, secret, code=code, verifier=verifier, redirect_uri=flow.callback_url
    )
    nonce = str(flow.details["nonce"])
    tokens = (
        oauth_secrets.sealed_tokens(ctx.secrets, project.id, flow.provider, token, now) if provider.store_tokens else ""
    )
    if configuration is not None:
        claims = await ctx.oauth.verified_id_token(flow.provider, provider, endpoints, id_token_of(token), nonce)
        async with ctx.db.transaction() as tx:
            by_idp = sso_accounts.asserted_by_claims(configuration, claims)
            user, first_seen = await sso_accounts.sign_in(
                tx, ctx, project, configuration, by_idp, tokens=tokens, provider_name=flow.provider
            )
        return SignedIn(user.id, first_seen, amr=sso_accounts.FED, tenant_id=configuration.tenant_id)
    asserted = await ctx.oauth.user_of(flow.provider, provider, endpoints, token, nonce)
    async with ctx.db.transaction() as tx:
        account = await oauth_accounts.account_for(
            tx,
            project_id=project.id,
            name=flow.provider,
            provider=provider,
            asserted=asserted,
            mode=str(flow.details.get("mode", oauth_accounts.SIGN_UP_OR_IN)),
            tokens=tokens,
            now=now,
        )
        if flow.user_id and account.user.id != flow.user_id:
            raise OAuthRefused("The provider identity belongs to another user than the signed-in one")
    return SignedIn(account.user.id, account.first_seen)


async def _fail(ctx: AuthContext, flow: Flow) -> None:
    """A refused return ends its flow (claimed or, for SAML, still started)."""
    async with ctx.db.transaction() as tx:
        if not await oauth_flows_store.advance(tx, flow.id, _CLAIMED, FAILED, ctx.now_ms()):
            await oauth_flows_store.advance(tx, flow.id, STARTED, FAILED, ctx.now_ms())


async def exchange(ctx: AuthContext, project: Project, code: str, caller: Caller) -> SessionTokens:
    """The session a callback's one-time ``code`` stands for (module docstring, 3);
    ``InvalidOAuthCode`` for an unknown, expired or already exchanged code."""
    if len(code) > 200:
        raise InvalidOAuthCode()
    async with ctx.db.transaction() as tx:
        flow = await oauth_flows_store.find_by_code(tx, project.id, _hash(ctx, "oauth-code", code))
        if flow is None or not await oauth_flows_store.advance(tx, flow.id, RETURNED, EXCHANGED, ctx.now_ms()):
            raise InvalidOAuthCode()
        user = await accounts.load_signable_user(tx, project.id, flow.user_id)
        earned = Earned.from_stored(_object(flow.details.get("earned")))
        tenant_id = str(flow.details.get("tenantId") or "")
        opened = await factors.open_session(
            tx,
            ctx,
            project,
            caller,
            user,
            str(flow.details.get("amr") or OAUTH),
            earned,
            first_seen=bool(flow.details.get("firstSeen")),
            system={SELECTED_TENANT: tenant_id} if tenant_id else None,
        )
    return await minting.mint(ctx, project, opened)


def _object(value: Any) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _hash(ctx: AuthContext, purpose: str, value: str) -> str:
    return ctx.secrets.code_mac(purpose, value)
