"""One row of the route table, and the one way a request reaches its endpoint.

A ``Route`` says everything about a Descope path: method, path, endpoint, request and
response types, who may call it, the audit action it records and the rate limits at its
edge. ``answer(route)`` turns the row into a Starlette endpoint that, on every request:

1. reads the body (routes that take one) and parses it as JSON — malformed JSON is refused
   before anything else, as the SDKs' callers expect;
2. authenticates the caller as ``route.access`` says, counting the edge rate limits;
3. validates path parameters, then the query, then the body, each by its pydantic type
   (the first problem becomes a Descope 400: see ``web/errors.py``);
4. calls the endpoint with the values its signature names (below), and records the
   outcome in the audit trail under ``route.action``;
5. serialises the returned model with the route's response type.

An endpoint names what it needs by parameter name: ``call`` (the authenticated
``AuthCall``), ``body`` (the request body), ``query`` (the query string as a model),
``response`` (a ``Response`` whose headers, e.g. cookies, join the answer), ``ctx`` (the
flows' context, on routes anyone may call), ``probes`` (the readiness and outbox probes),
``request`` (the Starlette request itself, for what no model holds: a provider's form post,
cookies, the origin), and the route's path parameters by their names. A POST endpoint that
names both ``body`` and ``query`` gets both (the table's request type is the body's; the
query's is the endpoint's annotation). ``answer`` checks once, when the table is
built, that the endpoint's annotations agree with the row.
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json
from starlette.requests import Request
from starlette.responses import Response

from passgate.auth import audit
from passgate.errors import BadRequest, InvalidRefreshToken, MissingArgument, PassgateError
from passgate.web.bearer import AuthCall, auth_call, context_of, mgmt_call
from passgate.web.errors import invalid_input
from passgate.web.schemas.base import AuditedRequest, AuditedResponse

Endpoint = Callable[..., Awaitable[Any]]


class Access(enum.Enum):
    """Who may call a route (the bearer forms of contract §1.3)."""

    ANYONE = "anyone"  # no bearer read
    PROJECT = "project"  # ``Bearer <projectId>[:<refreshJwt>]``
    USER = "signed-in user"  # as PROJECT, and a refresh JWT (bearer or ``DSR`` cookie) is required
    MANAGEMENT = "management key"  # ``Bearer <projectId>:<managementKey>``


class Limit(enum.Enum):
    """Rate limits that apply to a route (``auth/ratelimits.py`` holds the rules)."""

    IP = "per client IP"  # counted here, at the edge, before the endpoint
    # The routes a browser keeps its session with: per client IP too, in a window of their
    # own (any 4xx there, 429 included, signs the browser user out).
    SESSION_IP = "per client IP, session upkeep"
    KEY = "per management key"  # counted here, at the edge, before the endpoint
    SENDS = "sends per login ID, project and phone range"  # counted by the flow, once it knows the address
    VERIFIES = "verifies per IP and login ID"  # counted by the flow, before comparing


# The edge limits a route may have, by who may call it: exactly one of these sets.
_EDGE_LIMITS: dict[Access, tuple[frozenset[Limit], ...]] = {
    Access.ANYONE: (frozenset(),),
    Access.PROJECT: (frozenset({Limit.IP}), frozenset({Limit.SESSION_IP})),
    Access.USER: (frozenset({Limit.IP}), frozenset({Limit.SESSION_IP})),
    Access.MANAGEMENT: (frozenset({Limit.KEY}),),
}
_AT_THE_EDGE = {Limit.IP, Limit.SESSION_IP, Limit.KEY}
_CALLED = (Access.PROJECT, Access.USER, Access.MANAGEMENT)


class PlainText:
    """Response type of a route whose endpoint answers its own plain-text ``Response``."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: Endpoint
    request: Any  # the body's type (``None``: no body), or for GET routes the query model
    response: Any
    access: Access
    action: str  # the stable name: the audit action and the OpenAPI operation ID
    limits: tuple[Limit, ...] = ()
    tag: str = ""
    audited: bool = True

    @property
    def operation_id(self) -> str:
        return self.action.replace(".", "_")


@dataclass(frozen=True)
class _Plan:
    """What ``answer`` works out once per route from the endpoint's signature."""

    names: frozenset[str]
    path: tuple[tuple[str, TypeAdapter[Any]], ...]
    body: TypeAdapter[Any] | None
    body_required: bool
    query: TypeAdapter[Any] | None
    response: TypeAdapter[Any] | None


def answer(route: Route) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint serving ``route`` (see the module docstring for the steps)."""
    plan = _plan(route)

    async def endpoint(request: Request) -> Response:
        raw = await request.body() if plan.body is not None else b""
        parsed = _parsed_json(request, raw) if raw else _EMPTY
        call = await _authenticated(route, request)
        kwargs = _arguments(plan, request, parsed, call)
        sub_response = Response() if "response" in plan.names else None
        if sub_response is not None:
            kwargs["response"] = sub_response
        result = await _audited(route, call, kwargs.get("body"), route.endpoint(**kwargs))
        return _response(plan, result, sub_response)

    return endpoint


_EMPTY: Any = object()
_NOT_JSON: Any = object()


def _plan(route: Route) -> _Plan:
    hints = typing.get_type_hints(route.endpoint, include_extras=True)
    parameters = inspect.signature(route.endpoint).parameters
    names = frozenset(parameters)
    path_names = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    if "call" in names and route.access not in _CALLED:
        raise TypeError(f"{route.path}: the endpoint takes a call, but anyone may call the route")
    if frozenset(route.limits) & _AT_THE_EDGE not in _EDGE_LIMITS[route.access]:
        allowed = " or ".join(str(sorted(limit.name for limit in limits)) for limits in _EDGE_LIMITS[route.access])
        raise TypeError(f"{route.path}: its edge limits must be {allowed}")
    taken = "body" if "body" in names else "query" if "query" in names else None
    if (hints.get(taken) if taken else None) != route.request:
        raise TypeError(f"{route.path}: the endpoint's {taken or 'request'} type differs from the table's")
    query_type = hints.get("query") if "query" in names else None
    if route.response is not PlainText and hints.get("return") != route.response:
        raise TypeError(f"{route.path}: the endpoint's return type differs from the table's")
    body = parameters.get("body")
    return _Plan(
        names=names,
        path=tuple((name, TypeAdapter(hints[name])) for name in path_names),
        body=TypeAdapter(route.request) if taken == "body" else None,
        body_required=body is not None and body.default is inspect.Parameter.empty,
        query=TypeAdapter(query_type) if query_type is not None else None,
        response=None if route.response is PlainText else TypeAdapter(route.response),
    )


def _parsed_json(request: Request, raw: bytes) -> Any:
    """The body as JSON, or ``_NOT_JSON`` if its content type is not JSON (it then fails validation)."""
    if not _is_json(request.headers.get("content-type", "")):
        return _NOT_JSON
    try:
        text = raw.decode()
    except UnicodeDecodeError as error:
        raise BadRequest("There was an error parsing the body") from error
    try:
        return from_json(text)
    except ValueError as error:
        raise BadRequest("Malformed JSON body") from error


def _is_json(content_type: str) -> bool:
    """``application/json`` or ``application/<anything>+json``, with any parameters."""
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


async def _authenticated(route: Route, request: Request) -> AuthCall | None:
    if route.access is Access.MANAGEMENT:
        return await mgmt_call(request)
    if route.access is Access.ANYONE:
        return None
    call = await auth_call(request, session_upkeep=Limit.SESSION_IP in route.limits)
    if route.access is Access.USER and not call.refresh_jwt:
        raise InvalidRefreshToken("A refresh token is required (Authorization: Bearer <projectId>:<refreshJwt>)")
    return call


def _arguments(plan: _Plan, request: Request, parsed: Any, call: AuthCall | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, adapter in plan.path:
        kwargs[name] = _validated(adapter, request.path_params[name], "path", name)
    if plan.query is not None:
        kwargs["query"] = _validated(plan.query, dict(request.query_params), "query")
    if plan.body is not None:
        if parsed is _EMPTY:
            if plan.body_required:
                raise MissingArgument("Missing request body")
            kwargs["body"] = None
        else:
            kwargs["body"] = _validated(plan.body, b"" if parsed is _NOT_JSON else parsed, "body")
    if call is not None:
        kwargs["call"] = call
    if "ctx" in plan.names:
        kwargs["ctx"] = context_of(request)
    if "probes" in plan.names:
        kwargs["probes"] = request.app.state.probes
    if "request" in plan.names:
        kwargs["request"] = request
    return kwargs


def _validated(adapter: TypeAdapter[Any], value: Any, *where: str) -> Any:
    try:
        return adapter.validate_python(value, from_attributes=True)  # as FastAPI validates: its messages
    except ValidationError as error:
        raise invalid_input(error.errors(include_url=False), where) from None


async def _audited(route: Route, call: AuthCall | None, body: Any, work: Awaitable[Any]) -> Any:
    """``work``'s result, its outcome recorded under ``route.action`` with the login ID the
    request names and the user the answer names (``AuditedRequest``/``AuditedResponse``)."""
    if call is None or not route.audited:
        return await work
    login_id = body.audited_login_id() if isinstance(body, AuditedRequest) else None
    try:
        result = await work
    except PassgateError as error:
        await audit.record(call.ctx, call.project.id, route.action, error=error, login_id=login_id, caller=call.caller)
        raise
    user_id = result.audited_user_id() if isinstance(result, AuditedResponse) else None
    await audit.record(call.ctx, call.project.id, route.action, user_id=user_id, login_id=login_id, caller=call.caller)
    return result


def _response(plan: _Plan, result: Any, sub_response: Response | None) -> Response:
    if plan.response is None:
        response: Response = result
    else:
        response = Response(plan.response.dump_json(result, by_alias=True), media_type="application/json")
    if sub_response is not None:
        response.headers.raw.extend(
            (name, value) for name, value in sub_response.headers.raw if name not in (b"content-length",)
        )
    return response
