"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel

from passgate.web.bearer import context_of


class HealthResponse(BaseModel):
    status: str


async def healthz() -> HealthResponse:
    """The process is up."""
    return HealthResponse(status="ok")


async def readyz(request: Request) -> HealthResponse:
    """The database answers."""
    async with context_of(request).db.transaction(write=False) as tx:
        await tx.fetch_one("SELECT 1 AS ok")
    return HealthResponse(status="ready")
