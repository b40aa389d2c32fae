"""CORS for the browser SDKs on other origins, per project (ASGI middleware).

The web SDK calls passgate with ``credentials: 'include'`` and its own ``x-descope-*``
headers, so every call is preflighted and every answer must name the page's origin (never
``*``). What this layer answers, for a request that carries an ``Origin``:

* **A preflight** (``OPTIONS`` with ``Access-Control-Request-Method``) names no project,
  so it is judged against the union of every project's allowed origins
  (``auth/served_origins.py``, held in memory: no database read): 204 with the headers
  below for an origin in it, else 403 ``E011103`` without CORS headers. The answer is the
  same for every path, existing or not, so a preflight tells nobody whether a project or
  route exists. It never reaches the routes.
* **Any other answer** (success, 4xx, 429, 404/405, the 500 of ``contained_errors``)
  carries ``Access-Control-Allow-Origin: <origin>``, ``-Allow-Credentials: true`` and
  ``-Expose-Headers: Retry-After, X-Descope-Flow-Nonce`` (the SDK reads both) when the
  origin is allowed: by the project the bearer names (``judge_by``, from
  ``web/bearer.py``), by no origin at all if that project does not exist (so a page
  cannot tell an unknown project from one that does not allow it), or by the union when
  the request named no project (an unknown route, a missing bearer, a malformed body).
  ``Vary: Origin`` is on every answer to an ``Origin``, allowed or not.
* **Management routes** (``/v1/mgmt/*``) never answer CORS, preflight or not: a
  management key must never live in a page.
* **Public keys** (``/v2/keys/*``, ``/v1/keys/*``, ``/.well-known/*``) answer
  ``Access-Control-Allow-Origin: *`` without credentials to any origin.

A request without ``Origin`` (every server SDK) costs one scan of its header list.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passgate.auth.origins import OriginSet
from passgate.errors import OriginNotAllowed
from passgate.web.errors import error_response

# Exactly what the web and React SDKs send (research note §1.1, §6.9): a page's own
# ``baseHeaders`` beyond these are refused at preflight.
ALLOWED_HEADERS = (
    "authorization, content-type, x-descope-project-id, x-descope-sdk-name, x-descope-sdk-session-id, "
    "x-descope-sdk-version, x-descope-refresh-cookie-name, x-descope-trusted-device-token, "
    "x-descope-known-device-token, x-descope-flow-nonce, x-external-rid"
)
ALLOWED_METHODS = "GET, POST"  # every auth route's; management routes answer no CORS
EXPOSED_HEADERS = "Retry-After, X-Descope-Flow-Nonce"
MAX_AGE_SECONDS = 600  # how long a browser may reuse a preflight (Chromium caps it at 7200)

_MANAGEMENT = ("/v1/mgmt/", "/v2/mgmt/")
_PUBLIC = ("/v2/keys/", "/v1/keys/", "/.well-known/")
_ORIGINS_KEY = "passgate.cors_origins"
_VARY = (b"vary", b"Origin")
_PREFLIGHT = {
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    "Vary": "Origin",
}
_PUBLIC_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET",
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
}


def judge_by(scope: Scope, origins: OriginSet) -> None:
    """Judge this request's answer by ``origins`` (the project its bearer names) rather
    than by the union of every project's."""
    scope[_ORIGINS_KEY] = origins


class Cors:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        path: str = scope.get("path", "")
        if origin is None:
            await self._app(scope, receive, send)
        elif _is_preflight(scope):
            await _preflight(scope, origin, path)(scope, receive, send)
        elif path.startswith(_MANAGEMENT):
            await self._app(scope, receive, send)
        elif path.startswith(_PUBLIC):
            await self._app(scope, receive, _with_headers(send, lambda: [(b"access-control-allow-origin", b"*")]))
        else:
            await self._app(scope, receive, _with_headers(send, lambda: _actual_headers(scope, origin)))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method") is not None


def _served(scope: Scope) -> OriginSet:
    """The union of every project's allowed origins, as this process holds it."""
    origins: OriginSet = scope["app"].state.ctx.origins.current()
    return origins


def _preflight(scope: Scope, origin: str, path: str) -> Response:
    """The answer to a preflight: it depends only on the origin (and the path's kind)."""
    if path.startswith(_PUBLIC):
        return Response(status_code=204, headers=_PUBLIC_PREFLIGHT)
    if path.startswith(_MANAGEMENT):  # whatever the origin: no Vary
        return error_response(OriginNotAllowed("Management routes do not answer cross-origin requests"))
    if not _served(scope).allows(origin):
        refusal = OriginNotAllowed("No project on this server allows this origin (allowed_origins)")
        return error_response(refusal, {"Vary": "Origin"})
    return Response(status_code=204, headers={"Access-Control-Allow-Origin": origin, **_PREFLIGHT})


def _actual_headers(scope: Scope, origin: str) -> list[tuple[bytes, bytes]]:
    """The CORS headers of an answer to ``origin``, judged as the module docstring says."""
    origins: OriginSet | None = scope.get(_ORIGINS_KEY)
    if not (origins if origins is not None else _served(scope)).allows(origin):
        return [_VARY]
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
        _VARY,
    ]


def _with_headers(send: Send, headers: Callable[[], list[tuple[bytes, bytes]]]) -> Send:
    """``send`` adding ``headers()`` to the answer's start (worked out only then, once the
    routes have said which project the request named)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *headers()]}
        await send(message)

    return sending
