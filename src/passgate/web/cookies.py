"""Cookie mode: ``DS``/``DSR`` cookies instead of a refresh JWT in the body, with CSRF checks.

When a project chooses cookies, JWT responses keep ``sessionJwt`` in the body (the SDKs
read it only there) but carry the refresh JWT only as the ``DSR`` cookie: ``HttpOnly``,
``Secure``, scoped to ``/v1/auth`` so it travels only to passgate's auth routes (every
route the browser SDK sends it to is under it: refresh, try-refresh, me, logout …), with
the project's ``cookie_same_site`` (``Strict`` by default) and ``cookie_domain``
(host-only by default). Logout clears both cookies.

A request authenticated by that cookie (no JWT in the bearer) must come from one of the
project's pages: its ``Origin``, when sent, must be one of the project's allowed origins
(``auth/origins.py``, the same rule as CORS and redirects); without an ``Origin``, its
``Sec-Fetch-Site`` must not be ``cross-site``. Browsers send ``Origin`` on every CORS
request and every cross-origin POST, and ``Sec-Fetch-Site`` on everything else, so a page
of another site can use the cookie neither way. An allowed origin decides even when
``Sec-Fetch-Site`` says ``cross-site``: that is what a page on another site sharing the
session through ``SameSite=None`` looks like. Clients that send neither header are not
browsers, and CSRF needs a browser.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from passgate.auth.origins import project_origins
from passgate.errors import Unauthorized
from passgate.models.projects import Project
from passgate.models.sessions import SessionTokens
from passgate.web.schemas.sessions import JWTResponse

SESSION_COOKIE, REFRESH_COOKIE = "DS", "DSR"
SESSION_COOKIE_PATH, REFRESH_COOKIE_PATH = "/", "/v1/auth"
_SAFE_FETCH_SITES = {"same-origin", "same-site", "none"}
COOKIE_MODE = "cookies"


def jwt_answer(project: Project, tokens: SessionTokens, response: Response) -> JWTResponse:
    """The JWT response for the project's token delivery (setting cookies in cookie mode)."""
    answer = JWTResponse.of(tokens, cookie_domain=project.settings.cookie_domain)
    if project.settings.token_delivery != COOKIE_MODE:
        return answer
    issued_at = tokens.refresh_expires_at - tokens.refresh_max_age
    session_seconds = max(tokens.session_expires_at - issued_at, 0)
    _set(project, response, SESSION_COOKIE, tokens.session_jwt, session_seconds, SESSION_COOKIE_PATH)
    _set(project, response, REFRESH_COOKIE, tokens.refresh_jwt, tokens.refresh_max_age, REFRESH_COOKIE_PATH)
    return answer.model_copy(update={"refreshJwt": ""})


def clear_cookies(project: Project, response: Response) -> None:
    """In cookie mode, make the browser drop both cookies (after logout)."""
    if project.settings.token_delivery == COOKIE_MODE:
        _set(project, response, SESSION_COOKIE, "", 0, SESSION_COOKIE_PATH)
        _set(project, response, REFRESH_COOKIE, "", 0, REFRESH_COOKIE_PATH)


def _set(project: Project, response: Response, name: str, value: str, max_age: int, path: str) -> None:
    """One cookie with the project's attributes; ``Secure`` always, which ``SameSite=None``
    requires and browsers accept from ``http://localhost`` too."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        domain=project.settings.cookie_domain or None,
        secure=True,
        httponly=True,
        samesite=project.settings.cookie_same_site,
    )


def refresh_from_cookie(request: Request, project: Project) -> str | None:
    """The ``DSR`` cookie's refresh JWT, after the CSRF checks; ``None`` if there is none."""
    token = request.cookies.get(REFRESH_COOKIE)
    if not token or project.settings.token_delivery != COOKIE_MODE:
        return None
    origin = request.headers.get("origin")
    if origin is not None:
        if not project_origins(project.settings).allows(origin):
            raise Unauthorized("Request origin not allowed")
    elif request.headers.get("sec-fetch-site", "none") not in _SAFE_FETCH_SITES:
        raise Unauthorized("Cross-site request refused")
    return token
