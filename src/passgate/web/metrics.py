"""``/metrics`` in Prometheus text format.

Counters and histograms are per worker process. Outbox queue depth by state is read from
the database at scrape time, so it is the same whichever worker answers.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from passgate.delivery.outbox import queue_counts
from passgate.web.bearer import context_of

QUEUE = Gauge("passgate_outbox_queue", "Outbox messages by state (from the database)", ["state"])
STATES = ("queued", "sending", "retry", "sent", "failed", "dropped")


async def metrics(request: Request) -> PlainTextResponse:
    """Prometheus metrics (not part of the Descope API)."""
    counts = await queue_counts(context_of(request).db)
    for state in STATES:
        QUEUE.labels(state).set(counts.get(state, 0))
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
