"""passgate's benchmark: OTP start, OTP verify, refresh and the local session check,
on SQLite and PostgreSQL, with the real server as a subprocess and wrk as the client.

    .venv/bin/python bench/run.py            # full run (8-10 min), rewrites the results in bench/README.md
    .venv/bin/python bench/run.py --quick    # a few tiny phases that prove it works (README untouched)

Every server runs pinned to CPU 0, wrk and this script to CPU 1. All traffic goes to
127.0.0.1; every phase is bounded in time and in requests (wrk's -d and MAX_REQUESTS). Raw figures go to
bench/results/<timestamp>.json. Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# the bench's sibling modules (run as a script, this folder is first on sys.path)
import report
from loadgen import wrk_version
from scenarios import FULL, QUICK, Driver, RetryBudget, Sizes, run_paths
from target import LOAD_CPU, can_pin, memory_mib, require_postgres, running_server
from tokencheck import check_sessions

RESULTS = Path(__file__).resolve().parent / "results"
ALL_PATHS = ("healthz", "start", "verify", "refresh")
JWT_PATHS = ("verify", "refresh")  # what another signing algorithm changes
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; ``--quick`` picks small sizes, ES256 only, and leaves the README alone."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 s phases, ES256 only")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument(
        "--algs",
        help="comma-separated JWT algorithms; the first also runs healthz and OTP start "
        "(default ES256,RS256,EdDSA; ES256 with --quick)",
    )
    parser.add_argument("--seconds", type=int, help="seconds per measured phase (default 5; 1 with --quick)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="admin URL that may create databases")
    parser.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        help="write the results into bench/README.md (default: yes, except with --quick)",
    )
    args = parser.parse_args(argv)
    args.backends = args.backends.split(",")
    args.algs = (args.algs or ("ES256" if args.quick else "ES256,RS256,EdDSA")).split(",")
    unknown = (set(args.backends) - set(report.BACKEND_NAMES)) | (set(args.algs) - set(report.ALG_ORDER))
    if unknown:
        parser.error(f"unknown backend or algorithm: {', '.join(sorted(unknown))}")
    if args.readme is None:
        args.readme = not args.quick
    return args


def sizes_of(args: argparse.Namespace) -> Sizes:
    """``FULL`` or ``QUICK``, with ``--seconds`` applied."""
    sizes = QUICK if args.quick else FULL
    if args.seconds:
        sizes = dataclasses.replace(sizes, seconds=args.seconds)
    return sizes


def bench_server(
    backend: str, alg: str, paths: tuple[str, ...], workdir: Path, sizes: Sizes, budget: RetryBudget, postgres_url: str
) -> dict[str, Any]:
    """Start a server for (``backend``, ``alg``), measure ``paths`` and the session check on it."""
    print(f"  {report.BACKEND_NAMES[backend]}, {alg}: {', '.join(paths)}", file=sys.stderr, flush=True)
    with running_server(backend, alg, workdir, postgres_url) as server:
        idle = memory_mib(server.pid)
        phases, tokens = run_paths(Driver(server, server.log.parent, sizes, budget), paths)
        checks = check_sessions(
            server.base_url,
            server.project.project_id,
            tokens,
            seconds=sizes.check_seconds,
            max_ops=sizes.check_max_ops,
        )
        end = memory_mib(server.pid)
    labels = {"backend": backend, "alg": alg}
    return {
        "servers": [{**labels, "memory_idle": idle, "memory_end": end}],
        "phases": [{**labels, **phase} for phase in phases],
        "checks": [{**labels, **check} for check in checks],
    }


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Every (backend, algorithm) server in turn; the first algorithm also measures healthz and start."""
    sizes = sizes_of(args)
    budget = RetryBudget(sizes.retry_budget_s)
    collected: dict[str, list[Any]] = {"servers": [], "phases": [], "checks": []}
    with tempfile.TemporaryDirectory(prefix="passgate-bench-") as tmp:
        for backend in args.backends:
            for alg in args.algs:
                paths = ALL_PATHS if alg == args.algs[0] else JWT_PATHS
                result = bench_server(backend, alg, paths, Path(tmp), sizes, budget, args.postgres_url)
                for key, values in result.items():
                    collected[key] += values
    return collected


def command_line(argv: list[str]) -> str:
    """How this run was started, as one would type it from the project root."""
    return shlex.join([".venv/bin/python", "bench/run.py", *argv])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables, save the JSON and (unless told not to) the README."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # SIGTERM (or SIGINT, even where a shell ignores it) unwinds, so servers stop and databases drop
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda signum, _frame: sys.exit(128 + signum))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk")
    facts = report.machine_facts()
    facts["wrk"] = wrk_version()
    if "postgres" in args.backends:
        facts["postgres"] = require_postgres(args.postgres_url)
    if can_pin():
        os.sched_setaffinity(0, {LOAD_CPU})
    started, steal = time.monotonic(), report.steal_jiffies()
    print(f"passgate bench ({'quick' if args.quick else 'full'}): {', '.join(args.backends)}", file=sys.stderr)
    collected = run_all(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "json_name": f"{stamp}.json",
        "elapsed_s": round(time.monotonic() - started, 1),
        "steal_jiffies": report.steal_jiffies() - steal,
        "machine": facts,
        "settings": {
            "command": command_line(argv),
            "backends": args.backends,
            "algs": args.algs,
            "pinned": can_pin(),
            **dataclasses.asdict(sizes_of(args)),
        },
        **collected,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / result["json_name"]).write_text(json.dumps(result, indent=2))
    block = report.results_block(result)
    print(block)
    if args.readme:
        report.write_readme(block)
    errors = sum(p["errors"] for p in result["phases"]) + sum(c["errors"] for c in result["checks"])
    print(
        f"done in {result['elapsed_s']:.0f} s; {errors} errors; JSON in bench/results/{result['json_name']}",
        file=sys.stderr,
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
