"""Render every failure as a Descope error body, in one place.

Validation problems become 400s with Descope's request codes; unknown routes 404; an
unexpected exception is logged (without the request body) and answered 500 with a
generic message, never a traceback.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from passgate.errors import (
    BadRequest,
    InternalError,
    InvalidArgument,
    MethodNotAllowed,
    MissingArgument,
    NotFound,
    PassgateError,
    PayloadTooLarge,
    ValidationFailed,
)
from passgate.storage.database import DataRejected

log = structlog.get_logger("passgate.web")


def error_body(error: PassgateError) -> dict[str, str]:
    return {
        "errorCode": error.code,
        "errorDescription": error.description,
        "errorMessage": error.message,
        "message": error.message,
    }


def error_response(error: PassgateError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=error.status, headers=headers)


def _describe(errors: list[dict[str, Any]]) -> PassgateError:
    first = errors[0] if errors else {}
    kind = first.get("type", "")
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    if kind == "json_invalid":
        return BadRequest("Malformed JSON body")
    if kind == "missing":
        return MissingArgument(f"Missing field: {where}" if where else "Missing request body")
    return ValidationFailed(f"Invalid value for {where or 'body'}: {first.get('msg', 'invalid')}")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a Descope error body."""

    @app.exception_handler(PassgateError)
    async def _passgate(_: Request, exc: PassgateError) -> JSONResponse:
        return error_response(exc, exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(_describe(list(exc.errors())))

    @app.exception_handler(DataRejected)
    async def _rejected(_: Request, exc: DataRejected) -> JSONResponse:
        return error_response(InvalidArgument("A value was not acceptable to the database"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        mapped = {404: NotFound(), 405: MethodNotAllowed(), 413: PayloadTooLarge()}
        return error_response(mapped.get(exc.status_code, BadRequest(str(exc.detail))))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
        return error_response(InternalError())
