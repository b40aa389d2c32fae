"""Endpoints of the session routes: refresh, try-refresh, validate, logout, logout-all, me,
history, JWKS."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import sessions
from passgate.auth.context import AuthContext
from passgate.web.bearer import AuthCall
from passgate.web.cookies import clear_cookies, jwt_answer
from passgate.web.schemas.base import EmptyResponse
from passgate.web.schemas.sessions import HistoryEntry, JWKSResponse, JWTResponse, ValidateResponse
from passgate.web.schemas.users import UserResponse


async def refresh(call: AuthCall, response: Response) -> JWTResponse:
    """A fresh session JWT for the refresh JWT in the bearer or ``DSR`` cookie (any body, or none)."""
    tokens = await sessions.refresh(call.ctx, call.project, call.refresh_jwt)
    return jwt_answer(call.project, tokens, response)


async def try_refresh(call: AuthCall, response: Response) -> JWTResponse | EmptyResponse:
    """As refresh, but without a live session (no refresh JWT, or one invalid, expired or
    revoked) the answer is 200 ``{}``, not 401: the browser SDK asks on every page load."""
    tokens = await sessions.try_refresh(call.ctx, call.project, call.refresh_jwt)
    return EmptyResponse() if tokens is None else jwt_answer(call.project, tokens, response)


async def validate(call: AuthCall) -> ValidateResponse:
    """The claims of the session JWT in the bearer (``<projectId>:<sessionJwt>``), verified; 401 otherwise."""
    return ValidateResponse(parsedJWT=await sessions.validate(call.ctx, call.project, call.refresh_jwt))


async def logout(call: AuthCall, response: Response) -> EmptyResponse:
    """Revoke the refresh JWT in the bearer or ``DSR`` cookie (and clear the cookies)."""
    await sessions.logout(call.ctx, call.project, call.refresh_jwt)
    clear_cookies(call.project, response)
    return EmptyResponse()


async def logout_all(call: AuthCall, response: Response) -> EmptyResponse:
    """Revoke every refresh JWT of the user (and clear the cookies)."""
    await sessions.logout_all(call.ctx, call.project, call.refresh_jwt)
    clear_cookies(call.project, response)
    return EmptyResponse()


async def me(call: AuthCall) -> UserResponse:
    """The signed-in user, as a bare User object."""
    return UserResponse.of(await sessions.me(call.ctx, call.project, call.refresh_jwt))


async def history(call: AuthCall) -> list[HistoryEntry]:
    """The signed-in user's sign-ins, newest first, as a bare JSON array."""
    records = await sessions.history(call.ctx, call.project, call.refresh_jwt)
    return [HistoryEntry.of(record) for record in records]


async def jwks(project_id: str, ctx: AuthContext) -> JWKSResponse:
    """The project's public signing keys (no authentication needed)."""
    project = await ctx.projects.get(project_id)
    return JWKSResponse(keys=await ctx.keyring.jwks(project))
