"""Requests as a browser page on another origin sends them (the web SDK's headers), and
the CORS headers of the answers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import LiveServer

# What the web SDK sends on a POST's preflight, verified in Chromium (research note §1.1).
SDK_HEADERS = (
    "authorization,content-type,x-descope-project-id,x-descope-sdk-name,x-descope-sdk-session-id,x-descope-sdk-version"
)
ALLOWED_HEADERS = (
    "authorization, content-type, x-descope-project-id, x-descope-sdk-name, x-descope-sdk-session-id, "
    "x-descope-sdk-version, x-descope-refresh-cookie-name, x-descope-trusted-device-token, "
    "x-descope-known-device-token, x-descope-flow-nonce, x-external-rid"
)


def preflight(live: LiveServer, path: str, origin: str, method: str = "POST") -> httpx.Response:
    """The ``OPTIONS`` a browser sends before a credentialed call with the SDK's headers."""
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": SDK_HEADERS,
    }
    return httpx.options(live.base_url + path, headers=headers)


def page_call(
    live: LiveServer,
    method: str,
    path: str,
    origin: str,
    *,
    body: Any = None,
    token: str | None = None,
    project_id: str | None = None,
    **headers: str,
) -> httpx.Response:
    """A call as the web SDK makes it from a page on ``origin``: bearer ``P[:token]``, its
    ``x-descope-*`` headers, a JSON body on POST (``{}`` when none is given)."""
    project = project_id or live.project_id
    sent = {
        "Origin": origin,
        "Authorization": f"Bearer {project}:{token}" if token else f"Bearer {project}",
        "x-descope-project-id": project,
        "x-descope-sdk-name": "web-js",
        "x-descope-sdk-version": "1.53.0",
        "x-descope-sdk-session-id": "2026-12-02-10:00:00:000-1234",
        **headers,
    }
    if method == "POST":
        return httpx.post(live.base_url + path, json={} if body is None else body, headers=sent)
    return httpx.request(method, live.base_url + path, headers=sent)


def cors_of(response: httpx.Response) -> dict[str, str]:
    """The answer's ``Access-Control-*`` headers (names lower-cased)."""
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


def credentialed_for(origin: str) -> dict[str, str]:
    """The CORS headers of an actual answer a page on ``origin`` may read."""
    return {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "Retry-After, X-Descope-Flow-Nonce",
    }


def preflight_allowed_for(origin: str) -> dict[str, str]:
    """The CORS headers of a preflight from an allowed ``origin``."""
    return {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": "600",
    }
