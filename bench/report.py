"""Machine facts, the markdown tables, and the results block of ``bench/README.md``."""

from __future__ import annotations

import platform
import statistics
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cpu import DISTURBED_PCT

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin (written by bench/run.py) -->", "<!-- results:end -->"
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PATH_ORDER = ("healthz", "otp start", "otp verify", "refresh")
ALG_ORDER = ("ES256", "RS256", "EdDSA")

Row = dict[str, Any]


def command_output(*argv: str) -> str:
    """What ``argv`` prints, or an empty string if it cannot run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        return ""


def machine_facts() -> dict[str, str]:
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
    alg = "–" if row["path"] in ("healthz", "otp start") else row["alg"]  # no JWT is signed there
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


def memory_table(servers: list[Row], backends: list[str]) -> str:
    """The server's resident memory after start, after the run, and at its peak."""
    order = sorted(servers, key=lambda s: (backends.index(s["backend"]), ALG_ORDER.index(s["alg"])))
    body = [
        [
            BACKEND_NAMES[s["backend"]],
            s["alg"],
            f"{s['memory_idle']['rss_mib']:.0f}",
            f"{s['memory_end']['rss_mib']:.0f}",
            f"{s['memory_end']['peak_mib']:.0f}",
        ]
        for s in order
    ]
    return markdown_table(
        ["backend", "JWT alg", "RSS after start MiB", "RSS after the run MiB", "peak MiB"], body, labels=2
    )


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


def results_block(report: Row) -> str:
    """The generated part of the README: date, command, machine, and the three tables."""
    facts, settings = report["machine"], report["settings"]
    backends = settings["backends"]
    pinning = (
        "the server was pinned to CPU 0 and wrk (and this script) to CPU 1 with `taskset`"
        if settings["pinned"]
        else "nothing was pinned (fewer than 2 CPUs or no `taskset`)"
    )
    return "\n".join(
        [
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
            "the phases (see the CPU table).",
            "",
            "#### HTTP paths (wrk, one thread; req/s over the phase, latency per request)",
            "",
            http_table(report["phases"], backends),
            "",
            disturbed_note(report),
            "#### CPU during each phase (% of one core) and the server's work left after it",
            "",
            cpu_table(report["phases"], backends),
            "",
            "#### Session check, local (keys from `/v2/keys/<projectId>`; one core, one operation at a time)",
            "",
            check_table(report["checks"], backends),
            "",
            "#### Server memory (one worker process)",
            "",
            memory_table(report["servers"], backends),
            END,
        ]
    )


def write_readme(block: str) -> None:
    """Put ``block`` between the markers of ``bench/README.md`` (appended if they are missing)."""
    text = README.read_text() if README.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text)
