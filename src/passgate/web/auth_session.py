"""Endpoints of the session routes: refresh, logout, logout-all, me, history, JWKS."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import sessions
from passgate.auth.context import AuthContext
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.schemas.base import EmptyResponse
from passgate.web.schemas.sessions import HistoryEntry, JWKSResponse, JWTResponse
from passgate.web.schemas.users import UserResponse


async def refresh(call: AuthCall, response: Response) -> JWTResponse:
    """A fresh session JWT for the refresh JWT in the bearer or ``DSR`` cookie (any body, or none)."""
    tokens = await sessions.refresh(call.ctx, call.project, call.refresh_jwt)
    return jwt_answer(call.project, tokens, response)


async def logout(call: AuthCall) -> EmptyResponse:
    """Revoke the refresh JWT in the bearer."""
    await sessions.logout(call.ctx, call.project, call.refresh_jwt)
    return EmptyResponse()


async def logout_all(call: AuthCall) -> EmptyResponse:
    """Revoke every refresh JWT of the user."""
    await sessions.logout_all(call.ctx, call.project, call.refresh_jwt)
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
