"""Issue #7's goals, judged on one run: passgate against the peer measured in the same run,
against the Python floor, across user counts, and over the soak.

Every goal is a row ``{"goal", "measured", "target", "verdict"}``; the verdict is "met",
"missed", or "–" when the run did not measure what the goal needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peer import COUNTERPART

Row = dict[str, Any]

FLOOR_SHARE = 0.5
SCALE_FLAT = 0.20  # cost may differ by at most this much between the smallest and largest user count
SEARCH_MS = 50.0
SOAK_GROWTH = 0.10  # RSS may end at most this much above where it stood once warm (soak.WARM_FRACTION)
GOAL_CONC = 32
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def main_rows(phases: list[Row], workers: int, users: int) -> list[Row]:
    """The phases of the main pass: the first worker count and user count."""
    return [p for p in phases if p.get("workers", 1) == workers and p.get("users", 0) == users]


def find(rows: Iterable[Row], **labels: Any) -> Row | None:
    """The first row whose fields equal ``labels``."""
    return next((row for row in rows if all(row.get(k) == v for k, v in labels.items())), None)


def counterpart(peer_phases: list[Row], path: str, alg: str, conc: int) -> Row | None:
    """The peer's phase compared with passgate's ``path`` at ``alg`` and ``conc``: the same
    algorithm if the peer was measured with it, else its first (only the token endpoint
    signs a JWT per request that passgate's path also signs)."""
    endpoint = COUNTERPART.get(path)
    if endpoint is None:
        return None
    exact = find(peer_phases, path=endpoint, alg=alg, connections=conc)
    if exact is not None or endpoint == "token":
        return exact
    return find(peer_phases, path=endpoint, connections=conc)


def ratio(ours: float, theirs: float) -> float | None:
    """``ours / theirs``, or ``None`` when there is nothing to divide by."""
    return ours / theirs if theirs else None


def times(value: float | None) -> str:
    """A ratio as ``4.2×`` (``–`` if unknown)."""
    return "–" if value is None else f"{value:.2f}×"


def verdict(ok: bool | None) -> str:
    """``met`` / ``missed`` / ``–``."""
    return "–" if ok is None else ("met" if ok else "missed")


def goal(name: str, measured: str, target: str, ok: bool | None) -> Row:
    return {"goal": name, "measured": measured, "target": target, "verdict": verdict(ok)}


def peer_goal(name: str, ours: Row | None, theirs: Row | None, minimum: float) -> Row:
    """passgate's req/s at least ``minimum`` times the peer's."""
    if ours is None or theirs is None:
        return goal(name, "not measured", f"≥ {minimum:g}×", None)
    value = ratio(ours["rps"], theirs["rps"])
    measured = f"{ours['rps']:,.0f} vs {theirs['rps']:,.0f} req/s = {times(value)}"
    return goal(name, measured, f"≥ {minimum:g}×", value is not None and value >= minimum)


def p99_goal(name: str, ours: Row | None, theirs: Row | None, maximum: float) -> Row:
    """passgate's p99 at most ``maximum`` times the peer's."""
    if ours is None or theirs is None:
        return goal(name, "not measured", f"≤ {maximum:g}×", None)
    mine, its = ours["latency_us"]["p99"] / 1e3, theirs["latency_us"]["p99"] / 1e3
    value = ratio(mine, its)
    measured = f"{mine:.1f} vs {its:.1f} ms = {times(value)}"
    return goal(name, measured, f"≤ {maximum:g}×", value is not None and value <= maximum)


def peer_goals(report: Row, alg: str) -> list[Row]:
    """Verify, start and refresh against the peer at c=32 (one worker, the first user count)."""
    settings = report["settings"]
    phases = main_rows(report["phases"], settings["workers"][0], settings["users"][0])
    peer_phases = report.get("peer", {}).get("phases", [])

    def pair(backend: str, path: str) -> tuple[Row | None, Row | None]:
        ours = find(phases, backend=backend, path=path, alg=alg, connections=GOAL_CONC)
        if ours is None and path == "otp start":  # start signs nothing: measured with the first algorithm only
            ours = find(phases, backend=backend, path=path, connections=GOAL_CONC)
        return ours, counterpart(peer_phases, path, alg, GOAL_CONC)

    rows = [
        peer_goal(f"OTP verify, SQLite, c=32, {alg}: req/s vs the peer's sign-in", *pair("sqlite", "otp verify"), 4),
        p99_goal(f"OTP verify, SQLite, c=32, {alg}: p99 vs the peer's", *pair("sqlite", "otp verify"), 0.5),
        peer_goal(f"OTP verify, PostgreSQL, c=32, {alg}: req/s vs the peer's", *pair("postgres", "otp verify"), 2),
    ]
    for backend, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        rows.append(peer_goal(f"OTP start, {name}, c=32: req/s vs the peer's send-otp", *pair(backend, "otp start"), 2))
        rows.append(peer_goal(f"refresh, {name}, c=32, {alg}: req/s vs the peer's token", *pair(backend, "refresh"), 3))
    return rows


def floor_goals(report: Row) -> list[Row]:
    """OTP verify on SQLite, one worker, c=32, against the per-core floor of its algorithm,
    scaled to this machine (``floor.calibrated_floor``)."""
    settings = report["settings"]
    phases = main_rows(report["phases"], settings["workers"][0], settings["users"][0])
    calibrated = report["machine"].get("floor", {}).get("algs", {})
    rows = []
    for alg in settings["algs"]:
        here = calibrated.get(alg)
        ours = find(phases, backend="sqlite", path="otp verify", alg=alg, connections=GOAL_CONC)
        if here is None:
            unmeasured = f"OTP verify, SQLite, c=32, {alg}: share of the floor"
            rows.append(goal(unmeasured, "not calibrated", f"≥ {FLOOR_SHARE:.0%}", None))
            continue
        floor = here["rps"]
        name = (
            f"OTP verify, SQLite, c=32, {alg}: share of the floor ({floor:,.0f}/s per core here: "
            f"{here['reference_rps']:,.0f}/s where it was measured × {here['speed']:.2f})"
        )
        if ours is None:
            rows.append(goal(name, "not measured", f"≥ {FLOOR_SHARE:.0%}", None))
            continue
        share = ours["rps"] / floor
        per_core = 1000 / ours["server_ms_per_request"] if ours["server_ms_per_request"] else 0.0
        measured = (
            f"{ours['rps']:,.0f} req/s = {share:.0%} (server CPU: {per_core:,.0f}/s per core = {per_core / floor:.0%})"
        )
        rows.append(goal(name, measured, f"≥ {FLOOR_SHARE:.0%}", share >= FLOOR_SHARE))
    return rows


def scale_goals(report: Row) -> list[Row]:
    """Verify and refresh cost (server CPU per request, c=32) flat from the smallest to the
    largest user count; user search at the largest count under ``SEARCH_MS`` on PostgreSQL (p99, c=1)."""
    settings = report["settings"]
    sizes = settings["users"]
    workers = settings["workers"][0]
    alg = settings["algs"][0]
    rows = []
    small, large = min(sizes), max(sizes)
    for backend in settings["backends"]:
        for path in ("otp verify", "refresh"):
            sizes_text = f"{large:,} vs {small:,} users" if large != small else "smallest vs largest --users"
            name = f"{path} cost, {BACKEND_NAMES[backend]}, c=32, {alg}: {sizes_text}"
            target = f"within {SCALE_FLAT:.0%}"
            low, high = (
                find(report["phases"], backend=backend, path=path, alg=alg, workers=workers, users=n, connections=32)
                for n in (small, large)
            )
            if small == large or low is None or high is None:
                rows.append(goal(name, "not measured (give --users two sizes, e.g. 1000,1000000)", target, None))
                continue
            change = high["server_ms_per_request"] / low["server_ms_per_request"] - 1
            measured = (
                f"{low['server_ms_per_request']:.2f} → {high['server_ms_per_request']:.2f} ms CPU/req ({change:+.0%});"
                f" {low['rps']:,.0f} → {high['rps']:,.0f} req/s"
            )
            rows.append(goal(name, measured, target, abs(change) <= SCALE_FLAT))
    for path in ("search page", "search text"):
        name = f"user {path}, PostgreSQL, c=1, {large:,} users: p99"
        found = find(report["phases"], backend="postgres", path=path, workers=workers, users=large, connections=1)
        if found is None:
            rows.append(goal(name, "not measured", f"< {SEARCH_MS:g} ms", None))
            continue
        p50, p99 = found["latency_us"]["p50"] / 1e3, found["latency_us"]["p99"] / 1e3
        rows.append(goal(name, f"p50 {p50:.1f} ms, p99 {p99:.1f} ms", f"< {SEARCH_MS:g} ms", p99 < SEARCH_MS))
    return rows


def soak_goals(report: Row) -> list[Row]:
    """RSS at the end of each soak no more than ``SOAK_GROWTH`` above its warm sample (the
    first after a third of the soak: start-up fills bounded caches, a leak keeps growing)."""
    rows = []
    for soak in report.get("soaks", []):
        name = (
            f"memory over a {soak['seconds']:.0f} s verify+refresh soak, {BACKEND_NAMES[soak['backend']]}: RSS growth"
        )
        first, last, most = soak["rss_first_mib"], soak["rss_last_mib"], soak["rss_max_mib"]
        warm = soak.get("rss_warm_mib", first)
        growth = last / warm - 1 if warm else 0.0
        measured = (
            f"{warm:.0f} MiB at {soak.get('warm_s', 0):.0f} s → {last:.0f} MiB at the end ({growth:+.0%});"
            f" {first:.0f} MiB fresh, max {most:.0f}"
        )
        rows.append(goal(name, measured, f"≤ +{SOAK_GROWTH:.0%} once warm", growth <= SOAK_GROWTH))
    if not rows:
        rows.append(goal("memory over a 10-minute soak: RSS growth", "not measured (--soak 600)", "none", None))
    return rows


def all_goals(report: Row) -> list[Row]:
    """Every goal of the issue, in its order."""
    alg = report["settings"]["algs"][0]
    return [*peer_goals(report, alg), *floor_goals(report), *scale_goals(report), *soak_goals(report)]
