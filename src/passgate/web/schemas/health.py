"""Answers of the probes (passgate's own, not Descope's)."""

from __future__ import annotations

from pydantic import BaseModel


class HealthResponse(BaseModel):
    status: str
