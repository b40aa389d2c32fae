"""Endpoints of the session routes: refresh, logout, logout-all, me, history, JWKS."""

from __future__ import annotations

from fastapi import Request, Response

from passgate.auth import sessions
from passgate.web.bearer import AuthDep, context_of
from passgate.web.cookies import jwt_answer
from passgate.web.schemas import EmptyResponse, HistoryEntry, JWKSResponse, JWTResponse, UserResponse


async def refresh(call: AuthDep, response: Response) -> JWTResponse:
    """A fresh session JWT for the refresh JWT in the bearer or ``DSR`` cookie (any body, or none)."""
    tokens = await sessions.refresh(call.ctx, call.project, call.refresh_jwt)
    return jwt_answer(call.project, tokens, response)


async def logout(call: AuthDep) -> EmptyResponse:
    """Revoke the refresh JWT in the bearer."""
    await sessions.logout(call.ctx, call.project, call.refresh_jwt)
    return EmptyResponse()


async def logout_all(call: AuthDep) -> EmptyResponse:
    """Revoke every refresh JWT of the user."""
    await sessions.logout_all(call.ctx, call.project, call.refresh_jwt)
    return EmptyResponse()


async def me(call: AuthDep) -> UserResponse:
    """The signed-in user, as a bare User object."""
    return UserResponse.of(await sessions.me(call.ctx, call.project, call.refresh_jwt))


async def history(call: AuthDep) -> list[HistoryEntry]:
    """The signed-in user's sign-ins, newest first, as a bare JSON array."""
    records = await sessions.history(call.ctx, call.project, call.refresh_jwt)
    return [HistoryEntry.of(record) for record in records]


async def jwks(project_id: str, request: Request) -> JWKSResponse:
    """The project's public signing keys (no authentication needed)."""
    ctx = context_of(request)
    project = await ctx.projects.get(project_id)
    return JWKSResponse(keys=await ctx.keyring.jwks(project))
