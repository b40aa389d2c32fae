"""A server as a tree of processes: ``passgate serve --workers N`` is a supervisor and N
worker processes (plus multiprocessing's helpers); the peer is one Node process.

CPU time and resident memory are read from ``/proc`` for every process of the tree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (over all its threads); empty if it has ended."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, parents first."""
    pids, index = [pid], 0
    while index < len(pids):
        pids += children(pids[index])
        index += 1
    return pids


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (0 if it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # the fields after "(comm)"
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its descendants so far (of those still running)."""
    return sum(cpu_seconds(p) for p in tree(pid))


def role(pid: int, root: int) -> str:
    """What a process of the tree is: the server itself, a worker, or a helper."""
    if pid == root:
        return "server"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "ended"
    if "resource_tracker" in command:
        return "helper"
    return "worker"


def memory(pid: int) -> dict[str, float]:
    """Resident set size now (``VmRSS``) and at its peak (``VmHWM``) in MiB (0 if it has ended)."""
    fields: dict[str, float] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_mib": fields.get("VmHWM", 0.0)}


def tree_memory(pid: int) -> dict[str, Any]:
    """RSS and peak of every process of the tree, their sums, and the workers' (the
    processes that serve requests: the server itself when it has no workers)."""
    processes: list[dict[str, Any]] = [{"pid": p, "role": role(p, pid), **memory(p)} for p in tree(pid)]
    serving = [p for p in processes if p["role"] == "worker"] or processes[:1]
    return {
        "processes": processes,
        "rss_mib": round(sum(p["rss_mib"] for p in processes), 1),
        "peak_mib": round(sum(p["peak_mib"] for p in processes), 1),
        "worker_rss_mib": [p["rss_mib"] for p in serving],
    }
