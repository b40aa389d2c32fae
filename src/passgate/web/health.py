"""Liveness and readiness probes, and ``/metrics`` in Prometheus text format.

Counters and histograms are per worker process. Outbox queue depth by state is read from
the database at scrape time, so it is the same whichever worker answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from starlette.responses import Response

from passgate.web.schemas.health import HealthResponse

QUEUE = Gauge("passgate_outbox_queue", "Outbox messages by state (from the database)", ["state"])
STATES = ("queued", "sending", "retry", "sent", "failed", "dropped")


@dataclass(frozen=True)
class Probes:
    """What the operations routes ask of the process: given by ``wiring``, which knows the
    database and the outbox (the web layer reaches neither directly)."""

    ready: Callable[[], Awaitable[None]]  # raises DatabaseUnavailable within 2 s if it cannot serve
    queue_counts: Callable[[], Awaitable[dict[str, int]]]  # outbox messages by state


async def healthz() -> HealthResponse:
    """The process is up."""
    return HealthResponse(status="ok")


async def readyz(probes: Probes) -> HealthResponse:
    """The database could serve a request now; else 503 ``E010503`` within 2 s (the probe
    raises ``DatabaseUnavailable``, rendered like any Descope error)."""
    await probes.ready()
    return HealthResponse(status="ready")


async def metrics(probes: Probes) -> Response:
    """Prometheus metrics (not part of the Descope API)."""
    counts = await probes.queue_counts()
    for state in STATES:
        QUEUE.labels(state).set(counts.get(state, 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
