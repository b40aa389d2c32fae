"""passgate's benchmark: OTP start, OTP verify, TOTP verify, passkey and password sign-in,
refresh, me, JWKS, management user search and the local session check, on SQLite and
PostgreSQL, with the real server as a subprocess and wrk as the client; the peer
(better-auth, from ../shared/bench) side by side when present.

    .venv/bin/python bench/run.py            # full run, rewrites the results in bench/README.md
    .venv/bin/python bench/run.py --quick    # a few tiny phases that prove it works (README untouched)
    .venv/bin/python bench/run.py --users 1000,1000000 --soak 600    # scale and memory goals too
    .venv/bin/python bench/run.py --quick --paths password --no-peer    # one path only (README untouched)

A one-worker server (and the peer) runs pinned to CPU 0, wrk and this script to CPU 1; more
workers use both CPUs. All traffic goes to 127.0.0.1; every phase is bounded in time and in
requests (wrk's -d and MAX_REQUESTS). Raw figures go to bench/results/<timestamp>.json.
Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# the bench's sibling modules (run as a script, this folder is first on sys.path)
import floor
import peer
import report
from goals import BACKEND_NAMES
from loadgen import ensure_wrk, wrk_version
from proctree import tree_memory
from scenarios import FULL, QUICK, Driver, RetryBudget, Sizes, run_paths
from soak import soak
from target import LOAD_CPU, SERVER_CPU, ServerSpec, can_pin, require_postgres, running_server
from tokencheck import check_sessions

RESULTS = Path(__file__).resolve().parent / "results"
Paths = tuple[str, ...]
ALL_PATHS: Paths = (
    "healthz", "start", "verify", "totp", "passkey", "password", "oauth", "refresh", "me", "jwks", "search",
)  # fmt: skip
JWT_PATHS: Paths = ("verify", "refresh")  # what another signing algorithm changes
WORKER_PATHS: Paths = ("healthz", "start", "verify", "refresh", "me")  # with more workers
SCALE_PATHS: Paths = ("start", "verify", "refresh", "me", "search")  # with more users in the database
PEER_ENDPOINTS = ("send-otp", "verify", "token", "get-session", "jwks")
PEER_JWT_ENDPOINTS = ("token",)  # what another signing algorithm changes on the peer
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
    parser.add_argument(
        "--paths",
        help=f"comma-separated, only these of {','.join(ALL_PATHS)} (default: all; the README is then "
        "left alone unless --readme)",
    )
    parser.add_argument("--seconds", type=int, help="seconds per measured phase (default 5; 1 with --quick)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="admin URL that may create databases")
    parser.add_argument(
        "--users",
        help="comma-separated: users preloaded into the database; the first for every server, each further "
        "size measures start/verify/refresh/me/search again (default 1000; 200 with --quick)",
    )
    parser.add_argument(
        "--workers",
        help="comma-separated worker counts; the first for every server, each further count measures "
        "healthz/start/verify/refresh/me again (default 1,2; 1 with --quick)",
    )
    parser.add_argument(
        "--soak",
        type=int,
        default=0,
        metavar="SECONDS",
        help="then a verify+refresh load this long with RSS sampled every 10 s (default 0: none)",
    )
    parser.add_argument("--soak-backends", help="comma-separated backends to soak (default: the first of --backends)")
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the peer (better-auth) side by side when --peer-dir exists (default: yes)",
    )
    parser.add_argument("--peer-dir", type=Path, default=peer.DEFAULT_DIR, help="the peer's folder")
    parser.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        help="write the results into bench/README.md (default: yes, except with --quick)",
    )
    args = parser.parse_args(argv)
    args.backends = args.backends.split(",")
    args.algs = (args.algs or ("ES256" if args.quick else "ES256,RS256,EdDSA")).split(",")
    args.soak_backends = args.soak_backends.split(",") if args.soak_backends else args.backends[:1]
    unknown = (set(args.backends) - set(BACKEND_NAMES)) | (set(args.algs) - set(report.ALG_ORDER))
    unknown |= set(args.soak_backends) - set(BACKEND_NAMES)
    args.paths = args.paths.split(",") if args.paths else list(ALL_PATHS)
    unknown |= set(args.paths) - set(ALL_PATHS)
    if unknown:
        parser.error(f"unknown backend, algorithm or path: {', '.join(sorted(unknown))}")
    try:
        args.users = [int(n) for n in (args.users or ("200" if args.quick else "1000")).split(",")]
        args.workers = [int(n) for n in (args.workers or ("1" if args.quick else "1,2")).split(",")]
    except ValueError:
        parser.error("--users and --workers take comma-separated whole numbers")
    if min(args.users) < 0 or min(args.workers) < 1:
        parser.error("--users must be >= 0 and --workers >= 1")
    if args.readme is None:
        args.readme = not args.quick and set(args.paths) == set(ALL_PATHS)
    return args


def sizes_of(args: argparse.Namespace) -> Sizes:
    """``FULL`` or ``QUICK``, with ``--seconds`` applied."""
    sizes = QUICK if args.quick else FULL
    if args.seconds:
        sizes = dataclasses.replace(sizes, seconds=args.seconds)
    return sizes


def bench_server(
    spec: ServerSpec,
    paths: tuple[str, ...],
    workdir: Path,
    sizes: Sizes,
    budget: RetryBudget,
    postgres_url: str,
    *,
    check: bool,
) -> dict[str, Any]:
    """Start a server for ``spec``, measure ``paths`` (and, if ``check``, the session check) on it."""
    shape = f"{spec.workers} worker(s), {spec.users:,} users"
    print(f"  {BACKEND_NAMES[spec.backend]}, {spec.alg}, {shape}: {', '.join(paths)}", file=sys.stderr)
    with running_server(spec, workdir, postgres_url) as server:
        idle = tree_memory(server.pid)
        phases, tokens = run_paths(Driver(server, server.log.parent, sizes, budget, spec.users), paths)
        checks = []
        if check:
            checks = check_sessions(
                server.base_url,
                server.project.project_id,
                tokens,
                seconds=sizes.check_seconds,
                max_ops=sizes.check_max_ops,
            )
        end = tree_memory(server.pid)
    labels = spec.labels()
    server_facts = {
        "memory_idle": idle,
        "memory_end": end,
        "placement": server.placement,
        "preload_s": server.preload_s,
    }
    return {
        "servers": [{**labels, **server_facts}],
        "phases": [{**labels, **phase} for phase in phases],
        "checks": [{**labels, **check} for check in checks],
    }


def passes(args: argparse.Namespace, backend: str) -> list[tuple[ServerSpec, tuple[str, ...]]]:
    """The servers one backend gets and what each measures: every algorithm at the first worker
    count and user count, then the first algorithm at each further worker count and user count;
    only ``--paths``, and no server left with nothing to measure."""
    alg, workers, users = args.algs[0], args.workers[0], args.users[0]
    todo: list[tuple[ServerSpec, Paths]] = [
        (ServerSpec(backend, a, workers, users), ALL_PATHS if a == alg else JWT_PATHS) for a in args.algs
    ]
    todo += [(ServerSpec(backend, alg, w, users), WORKER_PATHS) for w in args.workers[1:]]
    todo += [(ServerSpec(backend, alg, workers, n), SCALE_PATHS) for n in args.users[1:]]
    chosen = [(spec, tuple(p for p in paths if p in args.paths)) for spec, paths in todo]
    return [(spec, paths) for spec, paths in chosen if paths]


def run_peer(args: argparse.Namespace, workdir: Path, sizes: Sizes, budget: RetryBudget) -> dict[str, Any]:
    """The peer for every algorithm (all endpoints for the first, the token for the others),
    or why it did not run."""
    collected: dict[str, Any] = {"servers": [], "phases": []}
    try:
        collected["facts"] = peer.prepare(args.peer_dir)
    except peer.PeerUnavailable as exc:
        print(f"  peer skipped: {exc}", file=sys.stderr, flush=True)
        return {"skipped": str(exc)}
    for alg in args.algs:
        endpoints = PEER_ENDPOINTS if alg == args.algs[0] else PEER_JWT_ENDPOINTS
        result = peer.bench_peer(args.peer_dir, workdir, alg, endpoints, sizes, budget, args.users[0])
        collected["servers"] += result["servers"]
        collected["phases"] += result["phases"]
    return collected


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Every server of every backend in turn (the peer after the first backend), then the soaks."""
    sizes = sizes_of(args)
    budget = RetryBudget(sizes.retry_budget_s)
    collected: dict[str, Any] = {"servers": [], "phases": [], "checks": [], "peer": {}, "soaks": []}
    with tempfile.TemporaryDirectory(prefix="passgate-bench-") as tmp:
        for index, backend in enumerate(args.backends):
            for spec, paths in passes(args, backend):
                check = spec.workers == args.workers[0] and spec.users == args.users[0]
                result = bench_server(spec, paths, Path(tmp), sizes, budget, args.postgres_url, check=check)
                for key, values in result.items():
                    collected[key] += values
            if index == 0 and args.peer:
                collected["peer"] = run_peer(args, Path(tmp), sizes, budget)
        for backend in args.soak_backends if args.soak else ():
            spec = ServerSpec(backend, args.algs[0], args.workers[0], args.users[0])
            collected["soaks"].append(soak(spec, args.soak, Path(tmp), sizes, args.postgres_url))
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
    ensure_wrk()
    facts = report.machine_facts()
    facts["wrk"] = wrk_version()
    if "postgres" in args.backends:
        facts["postgres"] = require_postgres(args.postgres_url)
    # before any server starts, on the core a server will have
    facts["floor"] = floor.calibrated_floor(args.algs, SERVER_CPU if can_pin() else None)
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
            "users": args.users,
            "workers": args.workers,
            "paths": args.paths,
            "soak_s": args.soak,
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
    errors += sum(p["errors"] for p in result["peer"].get("phases", []))
    errors += sum(s[kind]["errors"] for s in result["soaks"] for kind in ("verify", "refresh"))
    print(
        f"done in {result['elapsed_s']:.0f} s; {errors} errors; JSON in bench/results/{result['json_name']}",
        file=sys.stderr,
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
