"""A long mixed load and the server's memory over it: does RSS grow?

One wrk refreshes signed-in sessions for the whole soak (``chain``: each refresh JWT once,
then the one its answer carries, so it never runs out), while the bench keeps issuing fresh
codes (test users and codes through management, itself load) and a second wrk verifies each
of them once, round after round. Every ``SAMPLE_EVERY_S`` seconds the RSS of every process
of the server is read from ``/proc``.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from loadgen import Request, run_wrk
from proctree import tree_memory
from scenarios import Driver, RetryBudget, Sizes
from target import ServerSpec, running_server

SAMPLE_EVERY_S = 10.0
CONNECTIONS = 16  # each of the two wrk processes
ROUND_S = 20  # verify: seconds of codes issued per round
SESSIONS = 256
# The memory goal is judged from the first sample at or after a third of the soak (and at
# least WARM_MIN_S, or half of a shorter soak): a fresh worker first fills caches bounded by design (SQLite's 64 MiB
# page cache above all: a 240 s soak on 2026-12-01 rose from 117 to 208 MiB in its first
# 80 s, then stayed within 1 MiB), while a leak keeps growing through the rest.
WARM_FRACTION = 1 / 3
WARM_MIN_S = 60.0


class Sampler(threading.Thread):
    """Reads the server's memory every ``SAMPLE_EVERY_S`` seconds until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.began = time.monotonic()
        self.samples: list[dict[str, Any]] = []
        self.stopped = threading.Event()

    def sample(self) -> None:
        memory = tree_memory(self.pid)
        self.samples.append(
            {
                "t_s": round(time.monotonic() - self.began, 1),
                "rss_mib": memory["rss_mib"],
                "worker_rss_mib": memory["worker_rss_mib"],
            }
        )

    def run(self) -> None:
        self.sample()
        while not self.stopped.wait(SAMPLE_EVERY_S):
            self.sample()

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.sample()


def totals(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Requests, errors and the mean rate of several wrk runs of one path."""
    requests = sum(r["requests"] for r in results)
    return {
        "requests": requests,
        "errors": sum(r["errors"] for r in results),
        "rps": requests / max(seconds, 1e-9),
        "p99_ms_max": max((r["latency_us"]["p99"] / 1e3 for r in results), default=0.0),
    }


def verify_rounds(driver: Driver, deadline: float) -> list[dict[str, Any]]:
    """Fresh codes, then a wrk verifying them, until ``deadline``; each wrk's result."""
    results: list[dict[str, Any]] = []
    rate = 100.0
    while (left := deadline - time.monotonic()) > 2:
        driver.batches += 1
        count = min(driver.sizes.max_batch, max(50, int(rate * min(ROUND_S, left))))
        codes = driver.issue_codes(f"soak{driver.batches}-", count)
        left = deadline - time.monotonic()
        if left <= 1:
            break
        requests = driver.request_file(f"soak-verify-{driver.batches}", driver.verify_requests(codes))
        result = run_wrk(driver.server.base_url, requests, mode="once", connections=CONNECTIONS, seconds=int(left))
        rate = max(rate, result["rps"])
        results.append(result)
    return results


def soak(spec: ServerSpec, seconds: int, workdir: Path, sizes: Sizes, postgres_url: str) -> dict[str, Any]:
    """Run the mixed load on a fresh server for ``seconds``; memory samples and request totals."""
    print(f"  soak, {spec.backend}, {spec.alg}, {spec.workers} worker(s): {seconds} s", file=sys.stderr, flush=True)
    with running_server(spec, workdir, postgres_url) as server:
        driver = Driver(server, server.log.parent, sizes, RetryBudget(0), spec.users)
        sessions = driver.sign_in("soak-sessions", SESSIONS)
        bearer = driver.chain[1]
        refresh = driver.request_file(
            "soak-refresh", [Request("POST", "/v1/auth/refresh", bearer + s["refreshJwt"], {}) for s in sessions]
        )
        sampler = Sampler(server.pid)
        sampler.start()
        began = time.monotonic()
        refreshes: list[dict[str, Any]] = []
        refresher = threading.Thread(
            target=lambda: refreshes.append(
                run_wrk(
                    server.base_url,
                    refresh,
                    mode="chain",
                    connections=CONNECTIONS,
                    seconds=seconds,
                    chain=driver.chain,
                )
            ),
            daemon=True,
        )
        refresher.start()
        verifies = verify_rounds(driver, began + seconds)
        refresher.join()
        elapsed = time.monotonic() - began
        sampler.stop()
    rss = [s["rss_mib"] for s in sampler.samples]
    warm_at = max(min(WARM_MIN_S, elapsed / 2), elapsed * WARM_FRACTION)
    warm = next((s for s in sampler.samples if s["t_s"] >= warm_at), sampler.samples[-1])
    return {
        **spec.labels(),
        "seconds": round(elapsed, 1),
        "samples": sampler.samples,
        "rss_first_mib": rss[0],
        "rss_warm_mib": warm["rss_mib"],
        "warm_s": warm["t_s"],
        "rss_last_mib": rss[-1],
        "rss_max_mib": max(rss),
        "verify": totals(verifies, elapsed),
        "refresh": totals(refreshes, elapsed),
    }
