"""Cookie mode: ``DS``/``DSR`` cookies instead of a refresh JWT in the body, with CSRF checks.

When a project chooses cookies, JWT responses keep ``sessionJwt`` in the body (the SDKs
read it only there) but carry the refresh JWT only as the ``DSR`` cookie: ``HttpOnly``,
``Secure``, ``SameSite=Strict``, scoped to ``/v1/auth`` so it travels only to passgate's
session routes. A request authenticated by that cookie (no JWT in the bearer) must not
come from another site: a ``Sec-Fetch-Site`` other than ``same-origin``/``same-site``/
``none``, or an ``Origin`` that is not one of the project's approved redirect origins, is
refused. Browsers send one or both on every cross-site POST; clients that send neither are
not browsers, and CSRF needs a browser.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from passgate.errors import Unauthorized
from passgate.models.projects import Project
from passgate.models.sessions import SessionTokens
from passgate.web.schemas.sessions import JWTResponse

SESSION_COOKIE, REFRESH_COOKIE = "DS", "DSR"
REFRESH_COOKIE_PATH = "/v1/auth"
_SAFE_FETCH_SITES = {"same-origin", "same-site", "none"}
COOKIE_MODE = "cookies"


def jwt_answer(project: Project, tokens: SessionTokens, response: Response) -> JWTResponse:
    """The JWT response for the project's token delivery (setting cookies in cookie mode)."""
    answer = JWTResponse.of(tokens)
    if project.settings.token_delivery != COOKIE_MODE:
        return answer
    issued_at = tokens.refresh_expires_at - tokens.refresh_max_age
    response.set_cookie(
        SESSION_COOKIE,
        tokens.session_jwt,
        max_age=max(tokens.session_expires_at - issued_at, 0),
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_jwt,
        max_age=tokens.refresh_max_age,
        path=REFRESH_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return answer.model_copy(update={"refreshJwt": ""})


def refresh_from_cookie(request: Request, project: Project) -> str | None:
    """The ``DSR`` cookie's refresh JWT, after the CSRF checks; ``None`` if there is none."""
    token = request.cookies.get(REFRESH_COOKIE)
    if not token or project.settings.token_delivery != COOKIE_MODE:
        return None
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _SAFE_FETCH_SITES:
        raise Unauthorized("Cross-site request refused")
    origin = request.headers.get("origin")
    if origin is not None and origin not in _approved_origins(project):
        raise Unauthorized("Request origin not allowed")
    return token


def _approved_origins(project: Project) -> set[str]:
    origins = set()
    for url in (*project.settings.approved_redirect_urls, project.settings.default_redirect_url):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins
