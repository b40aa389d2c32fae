"""Where the CPU went during a phase: the server, the load generator, PostgreSQL, and the rest.

"The rest" is the kernel's loopback networking plus, on a shared machine, any other work
that ran at the same time: a large share there means the figures were disturbed.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from proctree import CLOCK_TICKS, cpu_seconds, tree_cpu_seconds

DISTURBED_PCT = 25.0  # "other" CPU above this (a quarter of a core) means another program ran meanwhile


def machine_busy_seconds() -> float:
    """CPU time all CPUs spent busy so far (user, nice, system, irq, softirq; not idle, iowait, steal)."""
    user, nice, system, _idle, _iowait, irq, softirq = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    return sum(int(ticks) for ticks in (user, nice, system, irq, softirq)) / CLOCK_TICKS


def postgres_seconds(database: str | None) -> float:
    """CPU time of the PostgreSQL processes serving ``database``: its client backends and the
    cluster's own helpers (WAL writer, checkpointer, ...), not other databases' backends."""
    if database is None:
        return 0.0
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or (proc / "comm").read_text().strip() != "postgres":
                continue
            title = (proc / "cmdline").read_text()
            if database in title or "(" not in title:  # client backends show "host(port)"
                total += cpu_seconds(int(proc.name))
        except OSError:
            continue  # the process ended meanwhile
    return total


def own_seconds() -> float:
    """CPU time of this process plus its reaped children (wrk, once it has exited)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Snapshot:
    """CPU counters at one moment."""

    wall: float
    server: float  # the server's whole process tree (every worker)
    load: float
    postgres: float
    machine: float

    @classmethod
    def take(cls, server_pid: int, database: str | None) -> Snapshot:
        return cls(
            time.monotonic(),
            tree_cpu_seconds(server_pid),
            own_seconds(),
            postgres_seconds(database),
            machine_busy_seconds(),
        )


def shares(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Percent of one CPU used by the server, by wrk plus this script, by PostgreSQL, and by the rest."""
    wall = max(after.wall - before.wall, 1e-9)
    used = {
        "server_cpu_pct": after.server - before.server,
        "load_cpu_pct": after.load - before.load,
        "postgres_cpu_pct": after.postgres - before.postgres,
    }
    used["other_cpu_pct"] = max(after.machine - before.machine - sum(used.values()), 0.0)
    return {name: round(100 * seconds / wall, 1) for name, seconds in used.items()}


def settle(read_busy: Callable[[], float], *, max_seconds: float, busy_share: float, window: float = 0.5) -> float:
    """Wait until ``read_busy`` (CPU seconds so far) grows by at most ``busy_share`` of one CPU
    over ``window``, for at most ``max_seconds``. Returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < max_seconds:
        before = read_busy()
        time.sleep(window)
        if read_busy() - before <= busy_share * window:
            break
    return round(time.monotonic() - start, 2)


def wait_quiet(*, max_seconds: float) -> float:
    """Wait until the whole machine is quiet (under a tenth of a CPU busy); the seconds waited."""
    return settle(machine_busy_seconds, max_seconds=max_seconds, busy_share=0.1)


def wait_idle(pid: int, *, max_seconds: float) -> float:
    """Wait until process ``pid`` and its workers are idle (under 5 % of a CPU): a server that
    has drained its outbox, say. The seconds waited."""
    return settle(lambda: tree_cpu_seconds(pid), max_seconds=max_seconds, busy_share=0.05)
