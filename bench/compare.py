"""Two or more passgate trees side by side: the same phases at c=32 on each, in interleaved rounds.

    scripts/bench compare --tree fastapi=fdf8059+bench/variants/fastapi-apiroute.patch \\
                          --tree lean-route=fdf8059 --tree starlette=.

A tree is ``NAME=REV[+PATCH]``: a git revision checked out under ``bench/.trees/NAME`` (``.``
is this checkout as it is), with an optional patch applied, served from a virtualenv of its
own. Every server of a backend runs at once on a database of its own (made with this
checkout's migrations: the trees must share the schema); each round measures OTP start,
verify, refresh and ``me`` on every tree in turn, the order rotated from round to round, so
drift of the machine falls on every tree alike. One worker each, pinned to CPU 0 as in
``run.py``; wrk on CPU 1. Prints a Markdown table (median of the rounds, with the range) and
saves the raw figures to ``bench/results/compare-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goals import BACKEND_NAMES
from loadgen import ensure_wrk
from scenarios import FULL, Driver, RetryBudget
from target import LOAD_CPU, PASSGATE, ServerSpec, can_pin, require_postgres, running_server

ROOT = Path(__file__).resolve().parents[1]
TREES = ROOT / "bench" / ".trees"
RESULTS = ROOT / "bench" / "results"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECTIONS = 32
PATHS = ("otp start", "otp verify", "refresh", "me")


@dataclass(frozen=True)
class Tree:
    """A named checkout and the ``passgate`` command of its virtualenv."""

    name: str
    spec: str  # as given: REV[+PATCH]
    passgate: Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=REV[+PATCH]", help="a tree to measure")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=int, default=FULL.seconds, help="seconds per measured phase (default 5)")
    parser.add_argument("--users", type=int, default=1000, help="users preloaded into each database (default 1000)")
    parser.add_argument("--alg", default="ES256", help="JWT algorithm of every project (default ES256)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="admin URL that may create databases")
    args = parser.parse_args(argv)
    args.backends = args.backends.split(",")
    if set(args.backends) - set(BACKEND_NAMES) or args.rounds < 1:
        parser.error("--backends takes sqlite,postgres and --rounds at least 1")
    return args


def prepare_tree(given: str) -> Tree:
    """Check out ``NAME=REV[+PATCH]`` (once; a later run reuses it) and make its virtualenv."""
    name, _, spec = given.partition("=")
    if not name or not spec:
        raise SystemExit(f"--tree takes NAME=REV[+PATCH], not {given!r}")
    if spec == ".":
        return Tree(name, spec, PASSGATE)
    rev, _, patch = spec.partition("+")
    folder = TREES / name
    if not folder.exists():
        git("worktree", "add", "--detach", str(folder), rev)
        if patch:
            git("-C", str(folder), "apply", str(ROOT / patch))
    env = {**os.environ, "PASSGATE_VENV": str(folder / ".venv")}
    subprocess.run([str(folder / "scripts" / "venv")], check=True, env=env)
    return Tree(name, spec, folder / ".venv" / "bin" / "passgate")


def git(*args: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), *args], check=True)


@dataclass(frozen=True)
class Prepared:
    """A warmed-up driver of one tree's server, and its ``me`` requests (signed-in sessions)."""

    driver: Driver
    me: Path


@contextmanager
def drivers(trees: list[Tree], backend: str, args: argparse.Namespace, workdir: Path) -> Iterator[list[Prepared]]:
    """A running server per tree on ``backend``, each with its driver warmed up."""
    sizes = dataclasses.replace(FULL, seconds=args.seconds)
    budget = RetryBudget(sizes.retry_budget_s * len(trees))
    spec = ServerSpec(backend, args.alg, 1, args.users)
    with ExitStack() as stack:
        result = []
        for tree in trees:
            server = stack.enter_context(running_server(spec, workdir, args.postgres_url, tree.passgate, tree.name))
            driver = Driver(server, server.log.parent, sizes, budget, args.users)
            me = driver.me_file(driver.sign_in("warm", sizes.sessions))
            driver.warm("otp start", driver.start_file(count=sizes.sessions), "once")
            driver.warm("refresh", driver.refresh_file(), "chain")
            result.append(Prepared(driver, me))
        yield result


def measure(prepared: Prepared, path: str) -> dict[str, Any]:
    """One phase of ``path`` at c=32 on fresh users, codes or sessions."""
    driver = prepared.driver
    if path == "otp start":
        return driver.measure_undisturbed(path, driver.start_file, mode="once", connections=CONNECTIONS)
    if path == "otp verify":
        return driver.measure_undisturbed(path, driver.verify_file, mode="once", connections=CONNECTIONS)
    if path == "refresh":
        return driver.measure_undisturbed(path, lambda _c: driver.refresh_file(), mode="chain", connections=CONNECTIONS)
    return driver.measure_undisturbed(path, lambda _c: prepared.me, mode="cycle", connections=CONNECTIONS)


def run_backend(trees: list[Tree], backend: str, args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    """Every round on every tree of ``backend``: the phases, labelled with tree, round and backend."""
    phases = []
    with drivers(trees, backend, args, workdir) as each:
        for round_no in range(args.rounds):
            shift = round_no % len(trees)
            pairs = list(zip(trees, each, strict=True))
            for tree, prepared in pairs[shift:] + pairs[:shift]:
                for path in PATHS:
                    result = measure(prepared, path)
                    report_phase(backend, round_no, tree, result)
                    phases.append({"backend": backend, "tree": tree.name, "round": round_no, **result})
    return phases


def report_phase(backend: str, round_no: int, tree: Tree, result: dict[str, Any]) -> None:
    """One line per phase on stderr."""
    print(
        f"  {backend} round {round_no + 1} {tree.name:<12} {result['path']:<10} {result['rps']:8.1f} req/s"
        f"  server {result['server_ms_per_request']:.3f} ms/req  other CPU {result['other_cpu_pct']:.0f}%",
        file=sys.stderr,
        flush=True,
    )


def table(trees: list[Tree], phases: list[dict[str, Any]], backends: list[str]) -> str:
    """Markdown: per backend and path, each tree's median req/s and server CPU ms per request."""
    head = "| backend | path | " + " | ".join(f"{t.name} req/s | {t.name} CPU ms/req" for t in trees) + " |"
    lines = [head, "|" + "---|" * (2 + 2 * len(trees))]
    for backend in backends:
        for path in PATHS:
            cells = []
            for tree in trees:
                mine = [p for p in phases if p["backend"] == backend and p["path"] == path and p["tree"] == tree.name]
                rps = [p["rps"] for p in mine]
                cpu = [p["server_ms_per_request"] for p in mine]
                cells.append(f"{statistics.median(rps):,.0f} ({min(rps):,.0f}–{max(rps):,.0f})")
                cells.append(f"{statistics.median(cpu):.3f} ({min(cpu):.3f}–{max(cpu):.3f})")
            lines.append(f"| {BACKEND_NAMES[backend]} | {path} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda signum, _frame: sys.exit(128 + signum))
    ensure_wrk()
    if "postgres" in args.backends:
        require_postgres(args.postgres_url)
    trees = [prepare_tree(given) for given in args.tree]
    if can_pin():
        os.sched_setaffinity(0, {LOAD_CPU})
    phases: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="passgate-compare-") as tmp:
        for backend in args.backends:
            phases += run_backend(trees, backend, args, Path(tmp))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    trees_json = [{"name": t.name, "spec": t.spec} for t in trees]
    saved = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "argv": sys.argv, "trees": trees_json, "phases": phases}
    (RESULTS / f"compare-{stamp}.json").write_text(json.dumps(saved, indent=1))
    print(table(trees, phases, args.backends))
    return 1 if any(p["errors"] for p in phases) else 0


if __name__ == "__main__":
    sys.exit(main())
