"""``/openapi.json``, generated from the route table through pydantic's JSON schema.

Each route is one operation: its path parameters (typed by the endpoint), its query (the
fields of its query model) or body (required unless the endpoint accepts none), its answer
and the Descope error body every route may answer. Shapes shared by several routes are
components; a model whose request and response forms differ gets both
(``-Input``/``-Output``).
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from passgate.web.bearer import BEARER_DESCRIPTION, BEARER_SCHEME
from passgate.web.route import Access, PlainText, Route
from passgate.web.schemas.base import ErrorResponse

_REF = "#/components/schemas/{model}"
_ERROR_STATUSES = ("400", "401", "404", "413", "429")
Key = tuple[str, str]  # (operation ID, what: "path:<name>", "query", "body", "response", "error")


def document(routes: tuple[Route, ...], title: str, version: str, description: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document describing ``routes``."""
    inputs: list[tuple[Key, JsonSchemaMode, TypeAdapter[Any]]] = [
        (("", "error"), "serialization", TypeAdapter(ErrorResponse))
    ]
    for route in routes:
        inputs.extend(_inputs(route))
    schemas, definitions = _without_null_defaults(TypeAdapter.json_schemas(inputs, ref_template=_REF))
    by_key: dict[Key, dict[str, Any]] = {key: schema for (key, _mode), schema in schemas.items()}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, by_key, definitions)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "description": description, "version": version},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {BEARER_SCHEME: {"type": "http", "description": BEARER_DESCRIPTION, "scheme": "bearer"}},
        },
    }


def _inputs(route: Route) -> list[tuple[Key, JsonSchemaMode, TypeAdapter[Any]]]:
    op = route.operation_id
    hints = typing.get_type_hints(route.endpoint, include_extras=True)
    found: list[tuple[Key, JsonSchemaMode, TypeAdapter[Any]]] = [
        ((op, f"path:{name}"), "validation", TypeAdapter(hints[name])) for name in _path_names(route)
    ]
    if route.request is not None:
        what = "query" if route.method in ("GET", "DELETE") else "body"
        found.append(((op, what), "validation", TypeAdapter(route.request)))
    if route.method != "GET" and "query" in hints:  # a POST taking a query beside its body
        found.append(((op, "query"), "validation", TypeAdapter(hints["query"])))
    if route.response is not PlainText:
        found.append(((op, "response"), "serialization", TypeAdapter(route.response)))
    return found


def _path_names(route: Route) -> list[str]:
    return [part[1:-1] for part in route.path.split("/") if part.startswith("{")]


def _operation(route: Route, schemas: dict[Key, dict[str, Any]], definitions: dict[str, Any]) -> dict[str, Any]:
    op = route.operation_id
    operation: dict[str, Any] = {
        "tags": [route.tag],
        "summary": route.action.rsplit(".", 1)[-1].replace("_", " ").title(),
        "operationId": op,
    }
    if route.endpoint.__doc__:
        operation["description"] = inspect.cleandoc(route.endpoint.__doc__)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": schemas[op, f"path:{name}"]}
        for name in _path_names(route)
    ]
    if (op, "query") in schemas:
        parameters.extend(_query_parameters(schemas[op, "query"], definitions))
    if parameters:
        operation["parameters"] = parameters
    if (op, "body") in schemas:
        operation["requestBody"] = _request_body(route, schemas[op, "body"])
    operation["responses"] = _responses(route, schemas)
    if route.access is not Access.ANYONE:
        operation["security"] = [{BEARER_SCHEME: []}]
    return operation


def _query_parameters(schema: dict[str, Any], definitions: dict[str, Any]) -> list[dict[str, Any]]:
    """One parameter per field of the query model (its schema is a component: look it up)."""
    model = definitions["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    required = set(model.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": field}
        for name, field in model["properties"].items()
    ]


def _without_null_defaults(node: Any) -> Any:
    """``node`` without ``"default": null``: an optional field left out is simply absent
    (and the document stays as FastAPI generated it, which said nothing of such defaults)."""
    if isinstance(node, dict):
        return {
            key: _without_null_defaults(value) for key, value in node.items() if key != "default" or value is not None
        }
    if isinstance(node, list | tuple):
        return type(node)(_without_null_defaults(item) for item in node)
    return node


def _request_body(route: Route, schema: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"content": {"application/json": {"schema": schema}}}
    if not _accepts_none(route.request):
        body["required"] = True
    return body


def _accepts_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(annotation)
    return False


def _responses(route: Route, schemas: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    media = "text/plain" if route.response is PlainText else "application/json"
    answer = {"type": "string"} if route.response is PlainText else schemas[route.operation_id, "response"]
    error = {"description": "A Descope error body", "content": {media: {"schema": schemas["", "error"]}}}
    return {
        "200": {"description": "Successful Response", "content": {media: {"schema": answer}}},
        **dict.fromkeys(_ERROR_STATUSES, error),
    }
