"""Render every failure as a Descope error body, in one place.

Validation problems become 400s with Descope's request codes; unknown routes 404. An
unexpected exception is not handled here: ``web/contained_errors.py`` logs it (without
the request body) and answers 500 with a generic message, never a traceback, keeping the
connection open.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ExceptionHandler

from passgate.errors import (
    BadRequest,
    MethodNotAllowed,
    MissingArgument,
    NotFound,
    PassgateError,
    PayloadTooLarge,
    ValidationFailed,
)


def error_body(error: PassgateError) -> dict[str, str]:
    return {
        "errorCode": error.code,
        "errorDescription": error.description,
        "errorMessage": error.message,
        "message": error.message,
    }


def error_response(error: PassgateError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=error.status, headers=headers)


def invalid_input(errors: list[Any], where: tuple[str, ...]) -> PassgateError:
    """The Descope error for the first of pydantic's ``errors`` in a request's ``where``
    (``("path", name)``, ``("query",)`` or ``("body",)``): a missing field is E011002, any
    other problem E011003, naming the field (a body's fields by their own names)."""
    first = errors[0] if errors else {}
    kind = first.get("type", "")
    field = ".".join(str(part) for part in (*where, *first.get("loc", ())) if part != "body")
    if kind == "json_invalid":
        return BadRequest("Malformed JSON body")
    if kind == "missing":
        return MissingArgument(f"Missing field: {field}" if field else "Missing request body")
    return ValidationFailed(f"Invalid value for {field or 'body'}: {first.get('msg', 'invalid')}")


def exception_handlers() -> dict[Any, ExceptionHandler]:
    """The handlers that turn every failure into a Descope error body."""
    return {
        PassgateError: _passgate,
        StarletteHTTPException: _http,
    }


async def _passgate(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PassgateError)
    return error_response(exc, exc.headers or None)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    mapped = {404: NotFound(), 405: MethodNotAllowed(), 413: PayloadTooLarge()}
    return error_response(mapped.get(exc.status_code, BadRequest(str(exc.detail))))
