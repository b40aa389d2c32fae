"""The ``Authorization: Bearer`` forms the SDKs send (contract §1.3) and the request
contexts built from them.

``P`` · ``P:<refreshJwt>`` · ``P:<refreshJwt>:<authMgmtKey>`` · ``P:<mgmtKey>``. Parts
are split on ``:`` (JWTs and passgate's keys never contain one); a part with two dots
is a JWT.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from passgate.auth import ratelimits
from passgate.auth.context import AuthContext, Caller
from passgate.errors import Unauthorized
from passgate.mgmt.projects import authenticate_management_key
from passgate.models import Project
from passgate.web.cookies import refresh_from_cookie

_MAX_BEARER = 16_384

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="DescopeBearer",
    description="`<projectId>` or `<projectId>:<refreshJwt>` for auth routes; "
    "`<projectId>:<managementKey>` for management routes.",
)


@dataclass(frozen=True)
class Bearer:
    project_id: str
    jwt: str | None
    secret: str | None


def parse_bearer(credentials: HTTPAuthorizationCredentials | None) -> Bearer:
    """Split the bearer into project ID, user JWT and other secret; ``Unauthorized`` if absent."""
    if credentials is None or not credentials.credentials or len(credentials.credentials) > _MAX_BEARER:
        raise Unauthorized("Missing Authorization header: Bearer <projectId>[:<token>]")
    project_id, *rest = credentials.credentials.split(":")
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


async def auth_call(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
) -> AuthCall:
    bearer = parse_bearer(credentials)
    ctx = context_of(request)
    project = await ctx.projects.get(bearer.project_id)
    caller = caller_of(request)
    await ctx.limiter.hit(ratelimits.per_ip(project, caller.ip))
    refresh_jwt = bearer.jwt or refresh_from_cookie(request, project)
    return AuthCall(ctx=ctx, project=project, refresh_jwt=refresh_jwt, caller=caller)


async def mgmt_call(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
) -> AuthCall:
    bearer = parse_bearer(credentials)
    ctx = context_of(request)
    key_id = await authenticate_management_key(ctx.db, bearer.project_id, bearer.secret)
    project = await ctx.projects.get(bearer.project_id)
    await ctx.limiter.hit(ratelimits.management(project, key_id))
    return AuthCall(ctx=ctx, project=project, refresh_jwt=None, caller=caller_of(request), management_key_id=key_id)


AuthDep = Annotated[AuthCall, Depends(auth_call)]
MgmtDep = Annotated[AuthCall, Depends(mgmt_call)]
