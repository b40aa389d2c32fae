"""Per-request handling planned once per route, instead of FastAPI's generic machinery.

On every request FastAPI walks the route's dependency tree generically, opens two exit
stacks, parses the content type with ``email.message``, and re-validates the model the
endpoint returned before serialising it. Under OTP verify load the handler took 23 % of
the server's CPU from the route to the endpoint, ~6 % of it the work it called (py-spy);
planned, 16 %. ``LeanRoute`` keeps everything else of FastAPI's route — matching,
``/openapi.json``, the parameter models — and replaces only the per-request handler with one
planned once from the route's ``Dependant``.

The plan covers the shapes passgate's routes use: coroutine dependencies without
``yield``, the request and response objects, path/query/header/cookie parameters and one
JSON body. Parameters are validated by FastAPI's own ``request_params_to_args`` and
``request_body_to_args`` in FastAPI's order (body read first, then dependencies, then
parameters), so answers and errors are the same. A returned model that already is the
response type is serialised as is; anything else is validated first, as FastAPI does. A
route of any other shape, or an app with dependency overrides, keeps FastAPI's handler.
"""

from __future__ import annotations

import email.message
import inspect
import json
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel
from pydantic_core import PydanticUndefined as Undefined
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

Values = dict[str, Any]
Errors = list[Any]


# The request attribute each kind of declared parameter is read from.
_PARAM_SOURCES = (
    ("path_params", "path_params"),
    ("query_params", "query_params"),
    ("header_params", "headers"),
    ("cookie_params", "cookies"),
)


@dataclass(frozen=True)
class _Step:
    """One node of a route's dependency tree: what to call, its sub-steps, and the request
    attributes its declared parameters are read from (only the kinds it declares)."""

    call: Callable[..., Awaitable[Any]]
    dependant: Dependant
    subs: tuple[_Step, ...]
    params: tuple[tuple[list[Any], str], ...]


class LeanRoute(APIRoute):
    """An ``APIRoute`` answering through a planned handler when its shape allows (see module doc)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.fastapi_app = self.app
        annotation = self.response_field.field_info.annotation if self.response_field else None
        self._response_types = _model_types(annotation)
        plan = _plan(self.dependant) if self._shape_allows() else None
        self.lean = plan is not None
        if plan is not None:
            self.app = self._planned_app(plan)

    def _shape_allows(self) -> bool:
        body_is_form = self.body_field is not None and isinstance(self.body_field.field_info, params.Form)
        return (
            isinstance(self.response_class, DefaultPlaceholder)
            and not body_is_form
            and not self.is_sse_stream
            and not self.is_json_stream
            and not self.dependencies
        )

    def _planned_app(self, plan: _Step) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        strict = _strict_content_type(self)
        has_body = bool(self.dependant.body_params)
        overrides = self.dependency_overrides_provider
        fallback = self.fastapi_app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if overrides is not None and getattr(overrides, "dependency_overrides", None):
                await fallback(scope, receive, send)  # tests that override a dependency get FastAPI's solver
                return
            request = Request(scope, receive, send)
            body = await _json_body(request, strict) if has_body else Undefined
            sub_response = Response()
            del sub_response.headers["content-length"]
            sub_response.status_code = None  # type: ignore[assignment]  # unset unless the endpoint sets it
            errors: Errors = []
            values = await _solve(plan, request, body, sub_response, {}, errors, self._embed_body_fields)
            if errors:
                raise RequestValidationError(errors, body=None if body is Undefined else body)
            result = await plan.call(**values)
            response = result if isinstance(result, Response) else await self._json_response(result, sub_response)
            await response(scope, receive, send)

        return app

    async def _json_response(self, result: Any, sub_response: Response) -> Response:
        """The endpoint's value as JSON with the status and headers it set on ``response``."""
        field = self.response_field
        status = sub_response.status_code or self.status_code or 200
        if field is None:  # no response model: encoded as FastAPI does (jsonable_encoder)
            response: Response = JSONResponse(await serialize_response(response_content=result), status_code=status)
        else:
            # a model of exactly a class the annotation names: serialising it needs no validation first
            exact = isinstance(result, BaseModel) and type(result) in self._response_types
            content = (
                field.serialize_json(result)
                if exact
                else await serialize_response(field=field, response_content=result, dump_json=True)
            )
            response = Response(content=content, media_type="application/json", status_code=status)
        response.headers.raw.extend(sub_response.headers.raw)
        return response


def _plan(dependant: Dependant) -> _Step | None:
    """The planned step for ``dependant``, or ``None`` if any part of its tree needs FastAPI's solver."""
    call = dependant.call
    unsupported = (
        call is None
        or not _is_coroutine(call)
        or dependant.websocket_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or getattr(dependant, "concurrency", None) is not None
    )
    if unsupported:
        return None
    subs = []
    for sub in dependant.dependencies:
        step = _plan(sub)
        if step is None:
            return None
        subs.append(step)
    params = tuple((fields, attribute) for kind, attribute in _PARAM_SOURCES if (fields := getattr(dependant, kind)))
    return _Step(call=call, dependant=dependant, subs=tuple(subs), params=params)  # type: ignore[arg-type]


def _is_coroutine(call: Callable[..., Any]) -> bool:
    """An ``async def`` function, or an object whose ``__call__`` is one (FastAPI's security schemes)."""
    if inspect.isasyncgenfunction(call) or inspect.isgeneratorfunction(call):
        return False
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(type(call).__call__)


async def _solve(
    step: _Step,
    request: Request,
    body: Any,
    response: Response,
    cache: dict[Any, Any],
    errors: Errors,
    embed_body_fields: bool,
) -> Values:
    """The keyword arguments of ``step.call``, solving its dependencies first; problems go to ``errors``."""
    values: Values = {}
    for sub in step.subs:
        sub_errors: Errors = []
        sub_values = await _solve(sub, request, body, response, cache, sub_errors, embed_body_fields)
        if sub_errors:
            errors.extend(sub_errors)
            continue
        if sub.dependant.use_cache and sub.call in cache:
            solved = cache[sub.call]
        else:
            solved = cache[sub.call] = await sub.call(**sub_values)
        if sub.dependant.name is not None:
            values[sub.dependant.name] = solved
    for fields, attribute in step.params:
        found, problems = request_params_to_args(fields, getattr(request, attribute))
        values.update(found)
        errors.extend(problems)
    if step.dependant.body_params:
        body_values, body_errors = await request_body_to_args(
            body_fields=step.dependant.body_params, received_body=body, embed_body_fields=embed_body_fields
        )
        values.update(body_values)
        errors.extend(body_errors)
    for name in (step.dependant.request_param_name, step.dependant.http_connection_param_name):
        if name:
            values[name] = request
    if step.dependant.response_param_name:
        values[step.dependant.response_param_name] = response
    return values


async def _json_body(request: Request, strict: bool) -> Any:
    """The body as FastAPI reads it: JSON if the content type says so (or, when not ``strict``,
    says nothing), otherwise the raw bytes (which fail validation); ``Undefined`` if empty."""
    raw = await request.body()
    if not raw:
        return Undefined
    content_type = request.headers.get("content-type")
    if not content_type:
        return raw if strict else _decoded(raw)
    if content_type == "application/json" or _is_json_type(content_type):
        return _decoded(raw)
    return raw


def _decoded(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        problem = {"type": "json_invalid", "loc": ("body", error.pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([{**problem, "ctx": {"error": error.msg}}], body=error.doc) from error
    except ValueError as error:  # not UTF-8/16/32 at all
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from error


def _is_json_type(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _strict_content_type(route: APIRoute) -> bool:
    strict = route.strict_content_type
    return bool(strict.value if isinstance(strict, DefaultPlaceholder) else strict)


def _model_types(annotation: Any) -> frozenset[Any]:
    """The classes a response annotation names (each member of a union, or the one class)."""
    if annotation is None:
        return frozenset()
    origin = typing.get_origin(annotation)
    return frozenset(typing.get_args(annotation) if origin in (typing.Union, types.UnionType) else (annotation,))
