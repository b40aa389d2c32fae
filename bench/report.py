"""Machine facts, the markdown tables, and the results block of ``bench/README.md``."""

from __future__ import annotations

import platform
import statistics
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cpu import DISTURBED_PCT
from floor import REFERENCE_SIGN_US, REFERENCE_VERIFY_TXN_US
from goals import BACKEND_NAMES, all_goals, counterpart, main_rows, ratio, times

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin (written by bench/run.py) -->", "<!-- results:end -->"
PATH_ORDER = (
    "healthz",
    "otp start",
    "otp verify",
    "totp verify",
    "passkey signin",
    "password signin",
    "oauth exchange",
    "refresh",
    "me",
    "jwks",
    "search page",
    "search text",
)
ALG_FREE = ("healthz", "otp start", "me", "jwks", "search page", "search text")  # nothing signed per request
ALG_ORDER = ("ES256", "RS256", "EdDSA")

Row = dict[str, Any]


def command_output(*argv: str) -> str:
    """What ``argv`` prints, or an empty string if it cannot run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        return ""


def machine_facts() -> dict[str, Any]:
    """CPU, memory, kernel, load and the passgate commit, from nproc, lscpu, free and git."""
    lscpu = {
        name.strip(): value.strip()
        for name, _, value in (line.partition(":") for line in command_output("lscpu").splitlines())
    }
    memory = next(
        (line.split()[1] for line in command_output("free", "-h").splitlines() if line.startswith("Mem:")), ""
    )
    root = README.parent.parent
    return {
        "nproc": command_output("nproc"),
        "cpu": lscpu.get("Model name", platform.processor()),
        "hypervisor": lscpu.get("Hypervisor vendor", "none"),
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "passgate_commit": command_output("git", "-C", str(root), "rev-parse", "--short", "HEAD") + source_note(root),
    }


def source_note(root: Path) -> str:
    """Where the measured passgate code came from, if not exactly the commit's ``src/``."""
    import passgate

    source = Path(passgate.__file__).resolve().parent.parent
    if source != root / "src":
        return f" (code imported from {source})"
    if command_output("git", "-C", str(root), "status", "--porcelain", "--", "src"):
        return " (src/ has uncommitted changes)"
    return ""


def steal_jiffies() -> int:
    """CPU time stolen by the hypervisor so far, summed over CPUs (``/proc/stat``)."""
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8])


def _ms(microseconds: float) -> str:
    """Milliseconds with two decimals below 10 ms, one above."""
    milliseconds = microseconds / 1e3
    return f"{milliseconds:.2f}" if milliseconds < 10 else f"{milliseconds:.1f}"


def _sort_key(row: Row) -> tuple[int, int, str, int]:
    """Table order: path as in ``PATH_ORDER``, then algorithm, method and concurrency."""
    path = PATH_ORDER.index(row["path"]) if "path" in row else 0
    return path, ALG_ORDER.index(row["alg"]), row.get("method", ""), row.get("connections", 0)


def pivot(
    rows: Iterable[Row],
    key: Callable[[Row], tuple[str, ...]],
    cells: Callable[[Row], list[str]],
    backends: list[str],
) -> list[list[str]]:
    """One line per ``key``: the key's fields, then ``cells`` of each backend side by side ("–" if absent)."""
    by_key: dict[tuple[str, ...], dict[str, Row]] = {}
    for row in sorted(rows, key=_sort_key):
        by_key.setdefault(key(row), {})[row["backend"]] = row
    lines = []
    for row_key, per_backend in by_key.items():
        width = len(cells(next(iter(per_backend.values()))))
        line = list(row_key)
        for backend in backends:
            line += cells(per_backend[backend]) if backend in per_backend else ["–"] * width
        lines.append(line)
    return lines


def markdown_table(headers: list[str], body: list[list[str]], *, labels: int) -> str:
    """A markdown table whose first ``labels`` columns are left-aligned and the rest right-aligned."""
    align = ["---" if i < labels else "---:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def backend_headers(backends: list[str], columns: list[str]) -> list[str]:
    """``columns`` once per backend, the first of each group prefixed with the backend's name."""
    headers = []
    for backend in backends:
        headers += [f"{BACKEND_NAMES[backend]} {columns[0]}", *columns[1:]]
    return headers


def _phase_key(row: Row) -> tuple[str, ...]:
    """The label columns of an HTTP phase: path, algorithm ("–" where nothing is signed), concurrency."""
    alg = "–" if row["path"] in ALG_FREE else row["alg"]  # no JWT is signed there
    return row["path"], alg, str(row["connections"])


def http_table(phases: list[Row], backends: list[str]) -> str:
    """req/s, p50/p99 latency, errors, and the server's CPU per request of every HTTP phase."""

    def cells(row: Row) -> list[str]:
        latency = row["latency_us"]
        disturbed = " †" if row["other_cpu_pct"] > DISTURBED_PCT else ""
        return [
            f"{row['rps']:,.0f}{disturbed}",
            f"{_ms(latency['p50'])} / {_ms(latency['p99'])}",
            str(row["errors"]),
            f"{row['server_ms_per_request']:.2f}",
        ]

    columns = ["req/s", "p50 / p99 ms", "errors", "server CPU ms/req"]
    headers = ["path", "JWT alg", "conc", *backend_headers(backends, columns)]
    return markdown_table(headers, pivot(phases, _phase_key, cells, backends), labels=3)


def cpu_table(phases: list[Row], backends: list[str]) -> str:
    """Where the CPU went during each phase, and how long the server worked on after it."""

    def cells(row: Row) -> list[str]:
        shares = " / ".join(f"{row[f'{part}_cpu_pct']:.0f}" for part in ("server", "load", "postgres", "other"))
        return [shares, f"{row['drain_s']:.1f}"]

    columns = ["CPU % server / wrk / pg / other", "drain s"]
    headers = ["path", "JWT alg", "conc", *backend_headers(backends, columns)]
    return markdown_table(headers, pivot(phases, _phase_key, cells, backends), labels=3)


def check_table(checks: list[Row], backends: list[str]) -> str:
    """ops/s and per-operation µs of the local session check."""

    def cells(row: Row) -> list[str]:
        return [
            f"{row['ops_per_s']:,.0f}",
            f"{row['mean_us']:.0f} ({row['p50_us']:.0f} / {row['p99_us']:.0f})",
            str(row["errors"]),
        ]

    headers = ["JWT alg", "method", *backend_headers(backends, ["run: ops/s", "µs/op mean (p50 / p99)", "errors"])]
    body = pivot(checks, lambda r: (r["alg"], r["method"]), cells, backends)
    return markdown_table(headers, body, labels=2)


def _mib_list(values: list[float]) -> str:
    """``112 / 98`` (one figure per worker)."""
    return " / ".join(f"{value:.0f}" for value in values) or "–"


def memory_table(servers: list[Row], phases: list[Row]) -> str:
    """Each server's resident memory (every process summed) after start, the most seen right
    after a phase, after the run and at its peak, and each worker's after the run."""

    def most(server: Row) -> str:
        labels = ("backend", "alg", "workers", "users")
        seen = [p["rss_mib"] for p in phases if all(p.get(k) == server.get(k) for k in labels) and "rss_mib" in p]
        return f"{max(seen):.0f}" if seen else "–"

    body = [
        [
            BACKEND_NAMES.get(s["backend"], "peer (better-auth)"),
            s["alg"],
            str(s.get("workers", 1)),
            f"{s.get('users', 0):,}",
            f"{s['memory_idle']['rss_mib']:.0f}",
            most(s),
            f"{s['memory_end']['rss_mib']:.0f}",
            f"{s['memory_end']['peak_mib']:.0f}",
            _mib_list(s["memory_end"].get("worker_rss_mib", [])),
        ]
        for s in servers
    ]
    headers = [
        "server",
        "JWT alg",
        "workers",
        "users",
        "RSS after start MiB",
        "RSS under load, max MiB",
        "RSS after the run MiB",
        "peak MiB",
        "per worker after the run MiB",
    ]
    return markdown_table(headers, body, labels=4)


def goals_table(report: Row) -> str:
    """Every goal of issue #7 with what this run measured and the verdict."""
    body = [[g["goal"], g["measured"], g["target"], f"**{g['verdict']}**"] for g in all_goals(report)]
    return markdown_table(["goal", "measured", "target", "verdict"], body, labels=4)


def peer_table(report: Row) -> str:
    """passgate's paths beside the peer's counterparts, with the ratios (one worker, first user count)."""
    settings = report["settings"]
    backends = settings["backends"]
    peer_phases = report["peer"].get("phases", [])
    phases = main_rows(report["phases"], settings["workers"][0], settings["users"][0])
    by_key: dict[tuple[str, str, int], dict[str, Row]] = {}
    for row in sorted(phases, key=_sort_key):
        if counterpart(peer_phases, row["path"], row["alg"], row["connections"]) is not None:
            alg = "–" if row["path"] in ALG_FREE else row["alg"]
            by_key.setdefault((row["path"], alg, row["connections"]), {})[row["backend"]] = row
    body = []
    for (path, alg, conc), per_backend in by_key.items():
        first = next(iter(per_backend.values()))
        theirs = counterpart(peer_phases, path, first["alg"], conc)
        assert theirs is not None
        line = [path, alg, str(conc), theirs["path"], f"{theirs['rps']:,.0f}", _ms(theirs["latency_us"]["p99"])]
        for backend in backends:
            ours = per_backend.get(backend)
            if ours is None:
                line += ["–", "–", "–"]
                continue
            p99 = ratio(ours["latency_us"]["p99"], theirs["latency_us"]["p99"])
            line += [f"{ours['rps']:,.0f}", times(ratio(ours["rps"], theirs["rps"])), times(p99)]
        body.append(line)
    headers = ["passgate path", "JWT alg", "conc", "peer endpoint", "peer req/s", "peer p99 ms"]
    for backend in backends:
        headers += [f"{BACKEND_NAMES[backend]} req/s", "× peer req/s", "p99 ÷ peer p99"]
    return markdown_table(headers, body, labels=4)


def workers_table(report: Row) -> str:
    """The same paths with each worker count (first algorithm, first user count): req/s, the
    speed-up over the first count, and where the CPU went (wrk shares CPU 1 with the workers)."""
    settings = report["settings"]
    counts, alg, users = settings["workers"], settings["algs"][0], settings["users"][0]
    rows = [p for p in report["phases"] if p.get("users", 0) == users and p["alg"] == alg]
    body = []
    for backend in settings["backends"]:
        for path in PATH_ORDER:
            for conc in (1, 32):
                found = [find_row(rows, backend, path, conc, w) for w in counts]
                if any(f is None for f in found):
                    continue
                base = found[0]
                assert base is not None
                cells = [BACKEND_NAMES[backend], path, str(conc)]
                for count, row in zip(counts, found, strict=True):
                    assert row is not None
                    speedup = f" ({row['rps'] / base['rps']:.2f}×)" if count != counts[0] and base["rps"] else ""
                    cpu = f"{row['server_cpu_pct']:.0f} / {row['load_cpu_pct']:.0f}"
                    cells += [f"{row['rps']:,.0f}{speedup}", _ms(row["latency_us"]["p99"]), cpu]
                body.append(cells)
    headers = ["backend", "path", "conc"]
    for count in counts:
        headers += [f"{count} worker{'s' if count > 1 else ''}: req/s", "p99 ms", "CPU % server / wrk"]
    return markdown_table(headers, body, labels=3)


def find_row(rows: list[Row], backend: str, path: str, conc: int, workers: int) -> Row | None:
    """The phase of ``path`` at ``conc`` on ``backend`` with ``workers`` workers."""
    return next(
        (
            r
            for r in rows
            if r["backend"] == backend
            and r["path"] == path
            and r["connections"] == conc
            and r.get("workers", 1) == workers
        ),
        None,
    )


def scale_table(report: Row) -> str:
    """The same paths with each preloaded user count (first algorithm, first worker count):
    req/s, server CPU per request and p99."""
    settings = report["settings"]
    sizes, alg, workers = settings["users"], settings["algs"][0], settings["workers"][0]
    rows = [p for p in report["phases"] if p.get("workers", 1) == workers and p["alg"] == alg]
    body = []
    for backend in settings["backends"]:
        for path in PATH_ORDER:
            for conc in (1, 32):
                found = [
                    next((r for r in rows if _is(r, backend, path, conc) and r.get("users", 0) == n), None)
                    for n in sizes
                ]
                if any(f is None for f in found):
                    continue
                cells = [BACKEND_NAMES[backend], path, str(conc)]
                for row in found:
                    assert row is not None
                    latency = row["latency_us"]
                    cells += [
                        f"{row['rps']:,.0f}",
                        f"{row['server_ms_per_request']:.2f}",
                        f"{_ms(latency['p50'])} / {_ms(latency['p99'])}",
                    ]
                body.append(cells)
    headers = ["backend", "path", "conc"]
    for n in sizes:
        headers += [f"{n:,} users: req/s", "server CPU ms/req", "p50 / p99 ms"]
    return markdown_table(headers, body, labels=3)


def _is(row: Row, backend: str, path: str, conc: int) -> bool:
    return bool(row["backend"] == backend and row["path"] == path and row["connections"] == conc)


def soak_table(soaks: list[Row]) -> str:
    """Each soak: its load and the server's memory over it."""
    body = [
        [
            BACKEND_NAMES[s["backend"]],
            s["alg"],
            str(s["workers"]),
            f"{s['seconds']:.0f}",
            f"{s['verify']['rps']:,.0f} ({s['verify']['errors']})",
            f"{s['refresh']['rps']:,.0f} ({s['refresh']['errors']})",
            f"{s['rss_first_mib']:.0f} / {s.get('rss_warm_mib', s['rss_first_mib']):.0f}"
            f" / {s['rss_last_mib']:.0f} / {s['rss_max_mib']:.0f}",
            _mib_list(s["samples"][-1]["worker_rss_mib"]),
        ]
        for s in soaks
    ]
    headers = [
        "backend",
        "JWT alg",
        "workers",
        "seconds",
        "verify req/s (errors)",
        "refresh req/s (errors)",
        "RSS fresh / warm / last / max MiB",
        "per worker at the end MiB",
    ]
    return markdown_table(headers, body, labels=3)


def disturbed_note(report: Row) -> str:
    """The footnote for phases that other programs disturbed (empty if none were)."""
    if all(phase["other_cpu_pct"] <= DISTURBED_PCT for phase in report["phases"]):
        return ""
    return (
        f"† other programs took more than {DISTURBED_PCT:.0f} % of a core during this phase in every try "
        f"(at most {report['settings']['attempts']}): its req/s and latency are understated (server CPU ms/req "
        "less so).\n"
    )


def median_other(phases: list[Row]) -> float:
    """The median share of a core that work outside the bench took during the phases."""
    return statistics.median(p["other_cpu_pct"] for p in phases) if phases else 0.0


def peer_note(report: Row) -> str:
    """Which peer ran, or why it did not."""
    peer = report.get("peer", {})
    if peer.get("skipped"):
        reason = " ".join(peer["skipped"].split())[:400]
        return f"The peer did not run: {reason}."
    if not peer:
        return "The peer was not run (`--no-peer`)."
    facts = peer["facts"]
    return (
        f"Peer: better-auth {facts['better_auth']} (emailOTP + jwt plugins, SQLite) on Node {facts['node']}, "
        "from `../shared/bench/peer-better-auth`, pinned to CPU 0 like passgate and loaded the same way."
    )


def section(title: str, table: str, note: str = "") -> list[str]:
    """A titled table (nothing if the table has no rows)."""
    if table.count("\n") < 2:
        return []
    return [f"#### {title}", "", table, "", *([note, ""] if note else [])]


def floor_note(floor: Row | None) -> str:
    """How the floor was scaled to this machine (``floor.calibrated_floor``)."""
    if not floor:
        return "The floor was not calibrated in this run."
    parts = "; ".join(
        f"{alg}: sign {here['sign_us']:,.0f} µs (there {REFERENCE_SIGN_US[alg]:,.0f}), floor "
        f"{here['reference_rps']:,.0f}/s × {here['speed']:.2f} = {here['rps']:,.0f}/s"
        for alg, here in floor["algs"].items()
    )
    return (
        "Floor, scaled to this machine by timing its largest parts on CPU 0 before the servers started "
        f"(stdlib sqlite3 verify transaction {floor['verify_txn_us']:,.0f} µs, "
        f"{REFERENCE_VERIFY_TXN_US:,.0f} where the floor was measured; two JWT signs): {parts}."
    )


def results_block(report: Row) -> str:
    """The generated part of the README: date, command, machine, goals, and the tables."""
    facts, settings = report["machine"], report["settings"]
    backends = settings["backends"]
    workers, users = settings.get("workers", [1]), settings.get("users", [0])
    main = main_rows(report["phases"], workers[0], users[0])
    peer_phases = report.get("peer", {}).get("phases", [])
    pinning = (
        "one-worker servers and the peer were pinned to CPU 0, wrk (and this script) to CPU 1 with `taskset`; "
        "servers of several workers ran on both CPUs"
        if settings["pinned"]
        else "nothing was pinned (fewer than 2 CPUs or no `taskset`)"
    )
    lines = [
        BEGIN,
        f"Run of {report['date']}.",
        "",
        f"Command: `{settings['command']}` ({settings['seconds']} s per measured phase; the whole run took "
        f"{report['elapsed_s'] / 60:.1f} min). Raw JSON: `bench/results/{report['json_name']}` (not committed).",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}, hypervisor: {facts['hypervisor']}), {facts['memory']} "
        f"memory, Linux {facts['kernel']}, Python {facts['python']}, {facts['wrk']}, PostgreSQL "
        f"{facts.get('postgres', 'not used')}; passgate {facts['passgate_commit']}. Load average at start "
        f"{facts['loadavg_at_start']}; {report['steal_jiffies']} jiffies stolen by the hypervisor during the run. "
        f"In this run {pinning}; PostgreSQL's own processes are not pinned. "
        f"Other work on the machine took a median {median_other(report['phases']):.0f} % of a core during "
        f"the phases (see the CPU table). Users preloaded per database: {', '.join(f'{n:,}' for n in users)}; "
        f"worker counts: {', '.join(map(str, workers))}.",
        "",
        floor_note(facts.get("floor")),
        "",
        peer_note(report),
        "",
        *section("Goals of issue #7 (ratios within this run; c=32, one worker, first user count)", goals_table(report)),
        *section(
            f"HTTP paths (wrk, one thread; req/s over the phase, latency per request; "
            f"{workers[0]} worker(s), {users[0]:,} users)",
            http_table(main, backends),
            disturbed_note(report),
        ),
        *section(
            "Side by side with the peer (same run; × = passgate ÷ peer)",
            peer_table(report) if peer_phases else "",
        ),
        *section(
            "CPU during each phase (% of one core) and the server's work left after it", cpu_table(main, backends)
        ),
        *section(
            "Workers (first JWT algorithm; wrk runs on CPU 1, which the workers share: its CPU is the load "
            "generator's cost)",
            workers_table(report) if len(workers) > 1 else "",
        ),
        *section("Users in the database (first JWT algorithm)", scale_table(report) if len(users) > 1 else ""),
        *section(
            "Session check, local (keys from `/v2/keys/<projectId>`; one core, one operation at a time)",
            check_table(report["checks"], backends),
        ),
        *section(
            "Server memory (every process of the server summed; per worker separately)",
            memory_table(report["servers"] + report.get("peer", {}).get("servers", []), report["phases"] + peer_phases),
        ),
        *section("Soak: memory under a long verify + refresh load", soak_table(report.get("soaks", []))),
        END,
    ]
    return "\n".join(lines)


def write_readme(block: str) -> None:
    """Put ``block`` between the markers of ``bench/README.md`` (appended if they are missing)."""
    text = README.read_text() if README.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text)
