"""The ``Authorization: Bearer`` forms the SDKs send (contract §1.3) and the request
contexts built from them.

``P`` · ``P:<refreshJwt>`` · ``P:<refreshJwt>:<authMgmtKey>`` · ``P:<mgmtKey>``. Parts
are split on ``:`` (JWTs and passgate's keys never contain one); a part with two dots
is a JWT.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import Request

from passgate.auth import ratelimits
from passgate.auth.context import AuthContext, Caller
from passgate.auth.origins import NO_ORIGINS, project_origins
from passgate.errors import Unauthorized
from passgate.mgmt.management_keys import authenticate_management_key
from passgate.models.projects import Project
from passgate.web import cors
from passgate.web.cookies import refresh_from_cookie

_MAX_BEARER = 16_384

BEARER_SCHEME = "DescopeBearer"
BEARER_DESCRIPTION = (
    "`<projectId>` or `<projectId>:<refreshJwt>` for auth routes; `<projectId>:<managementKey>` for management routes."
)


@dataclass(frozen=True)
class Bearer:
    project_id: str
    jwt: str | None
    secret: str | None


def bearer_token(authorization: str) -> str:
    """The credentials of an ``Authorization: Bearer <credentials>`` header (scheme in any
    case); ``""`` for an absent header or another scheme."""
    scheme, _, credentials = authorization.partition(" ")
    return credentials if scheme.lower() == "bearer" else ""


def parse_bearer(authorization: str) -> Bearer:
    """Split the bearer into project ID, user JWT and other secret; ``Unauthorized`` if absent."""
    credentials = bearer_token(authorization)
    if not credentials or len(credentials) > _MAX_BEARER:
        raise Unauthorized("Missing Authorization header: Bearer <projectId>[:<token>]")
    project_id, *rest = credentials.split(":")
    if not project_id:
        raise Unauthorized("The bearer must start with the project ID")
    jwt = next((part for part in rest if part.count(".") == 2), None)
    secret = next((part for part in rest if part and part.count(".") != 2), None)
    return Bearer(project_id=project_id, jwt=jwt, secret=secret)


@dataclass(frozen=True)
class AuthCall:
    """An auth-route request: the project, the caller, and any refresh JWT it carried."""

    ctx: AuthContext
    project: Project
    refresh_jwt: str | None
    caller: Caller
    management_key_id: str = ""  # on management routes: the key that authorised the call
    bearer_secret: str | None = None  # on auth routes: the bearer's part that is not a JWT (an access key)


def context_of(request: Request) -> AuthContext:
    ctx: AuthContext = request.app.state.ctx
    return ctx


def caller_of(request: Request) -> Caller:
    trusted: tuple[IPv4Network | IPv6Network, ...] = request.app.state.trusted_proxies
    peer = request.client.host if request.client else ""
    return Caller(
        ip=client_ip(peer, request.headers.get("x-forwarded-for", ""), trusted),
        user_agent=request.headers.get("user-agent", "")[:400],
    )


def client_ip(peer: str, forwarded_for: str, trusted: tuple[IPv4Network | IPv6Network, ...]) -> str:
    """The client's address: the socket peer, unless the peer is a trusted proxy, in which
    case the right-most ``X-Forwarded-For`` hop that is not itself a trusted proxy.

    Hops left of an untrusted one are client-supplied and never believed.
    """
    if not trusted:  # the default: no proxy is believed, so no address needs parsing
        return peer
    hops = [peer] + [hop.strip() for hop in reversed(forwarded_for.split(","))] if forwarded_for else [peer]
    for hop in hops:
        if not _is_trusted(hop, trusted):
            return hop
    return hops[-1]


def _is_trusted(address: str, trusted: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


async def auth_call(request: Request, *, session_upkeep: bool = False) -> AuthCall:
    """The call of an auth route: its project, caller and refresh JWT (bearer or cookie),
    counted against the project's per-IP limit (for ``session_upkeep`` routes, the
    separate limit of the routes a browser keeps its session with)."""
    bearer = parse_bearer(request.headers.get("authorization", ""))
    ctx = context_of(request)
    project = await _named_project(request, ctx, bearer.project_id)
    caller = caller_of(request)
    rule = ratelimits.session_per_ip if session_upkeep else ratelimits.per_ip
    await ctx.limiter.hit(rule(project, caller.ip))
    refresh_jwt = bearer.jwt or refresh_from_cookie(request, project)
    return AuthCall(ctx=ctx, project=project, refresh_jwt=refresh_jwt, caller=caller, bearer_secret=bearer.secret)


async def _named_project(request: Request, ctx: AuthContext, project_id: str) -> Project:
    """The project the bearer names, whose allowed origins then judge the answer's CORS
    headers; if there is no such project, no origin is allowed (so a page cannot tell an
    unknown project from one that does not allow it). A lookup that fails otherwise (the
    database is away) leaves the answer to the union, so the SDK can see its 503 and retry."""
    try:
        project = await ctx.projects.get(project_id)
    except Unauthorized:
        cors.judge_by(request.scope, NO_ORIGINS)
        raise
    cors.judge_by(request.scope, project_origins(project.settings))
    return project


async def mgmt_call(request: Request) -> AuthCall:
    """The call of a management route: the key (with its status, expiry and permitted
    addresses) is checked before the project is loaded, then counted against its per-key limit."""
    bearer = parse_bearer(request.headers.get("authorization", ""))
    ctx = context_of(request)
    caller = caller_of(request)
    key_id = await authenticate_management_key(
        ctx.db, bearer.project_id, bearer.secret, ip=caller.ip, now_ms=ctx.now_ms()
    )
    project = await ctx.projects.get(bearer.project_id)
    await ctx.limiter.hit(ratelimits.management(project, key_id))
    return AuthCall(ctx=ctx, project=project, refresh_jwt=None, caller=caller, management_key_id=key_id)
