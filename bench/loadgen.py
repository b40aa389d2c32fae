"""wrk as the load generator: one thread pinned to CPU 1, driven by ``replay.lua``.

Each phase replays a file of prepared requests for a fixed time: round robin (``cycle``),
each request at most once (``once``: one-time codes, set-up passes), or each token once
followed by the token its answer carries (``chain``: refresh with or without rotation).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from target import LOAD_CPU, pinned

LUA = Path(__file__).resolve().parent / "replay.lua"
WRK_TIMEOUT = "10s"  # a request unanswered this long counts as a socket error
GRACE_S = 30  # beyond -d, before the driver gives up on wrk
MAX_REQUESTS = 1_000_000  # per phase; a safety net, -d ends every phase long before


@dataclass(frozen=True)
class Request:
    """One prepared HTTP request."""

    method: str
    path: str
    authorization: str = ""
    body: dict[str, Any] | None = None
    header: str = ""  # one more header, "Name: value" (the peer's session cookie)

    def line(self) -> str:
        """The tab-separated line ``replay.lua`` reads."""
        body = json.dumps(self.body, separators=(",", ":")) if self.body is not None else ""
        fields = (self.method, self.path, self.authorization, body, *((self.header,) if self.header else ()))
        return "\t".join(fields)


def write_requests(path: Path, requests: Iterable[Request]) -> int:
    """Write ``requests`` to ``path``, one a line; how many were written."""
    lines = [request.line() for request in requests]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def ensure_wrk() -> None:
    """Install wrk with apt-get if it is missing and this runs as root; exit with a hint otherwise."""
    if shutil.which("wrk") is not None:
        return
    hint = "wrk is not installed: apt-get update && apt-get install -y wrk"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(hint)
    print("wrk is missing: installing it with apt-get", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        if subprocess.run(command, env=env, timeout=600, check=False).returncode != 0:
            raise SystemExit(f"{shlex.join(command)} failed; {hint}")
    if shutil.which("wrk") is None:
        raise SystemExit(hint)


def wrk_version() -> str:
    """wrk's name and version, from the first line of ``wrk -v``."""
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" [", 1)[0].strip()


def run_wrk(
    base_url: str,
    requests: Path,
    *,
    mode: str,
    connections: int,
    seconds: int,
    responses: Path | None = None,
    responses_header: str = "",
    chain: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    """Replay ``requests`` with wrk; the parsed ``RESULT`` plus rate and error counts.

    ``mode="once"`` sends each line at most once: wrk ends after ``seconds`` or, if every line
    is answered before that, at once (SIGINT), so the reported duration is the time they took.
    ``mode="chain"`` presents each token once and the answer's ``chain[0]`` field next, with
    the ``Authorization`` header ``chain[1] + token`` (rotating refresh JWTs). ``responses``
    gets each answer's body, or its ``responses_header`` header if one is named.
    """
    done = requests.with_suffix(".done")
    errors = requests.with_suffix(".errors")
    done.unlink(missing_ok=True)
    env = dict(
        os.environ,
        MODE=mode,
        REQUESTS_FILE=str(requests),
        DONE_FILE=str(done),
        ERRORS_FILE=str(errors),
        RESPONSES_FILE=str(responses or ""),
        RESPONSES_HEADER=responses_header,
        MAX_REQUESTS=str(MAX_REQUESTS),
        CHAIN_FIELD=chain[0],
        CHAIN_AUTH_PREFIX=chain[1],
    )
    command = [*pinned(LOAD_CPU), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT}"]
    proc = subprocess.Popen(
        [*command, "-s", str(LUA), base_url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        if mode == "once":
            _interrupt_when_done(proc, done, seconds)
        stdout, stderr = proc.communicate(timeout=seconds + GRACE_S)
    finally:
        if proc.poll() is None:  # timed out, or the bench is being stopped
            proc.kill()
            proc.wait()
    return _result(stdout, stderr, errors)


def _interrupt_when_done(proc: subprocess.Popen[str], done: Path, seconds: int) -> None:
    """SIGINT wrk (it then reports and exits) once ``replay.lua`` has created ``done``."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        if done.exists():
            proc.send_signal(signal.SIGINT)
            return
        time.sleep(0.005)


def _result(stdout: str, stderr: str, errors: Path) -> dict[str, Any]:
    """Parse the ``RESULT`` line and add ``rps``, ``non_2xx``, ``errors`` and sample error bodies."""
    line = next((line for line in stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no RESULT line:\n{stdout}\n{stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    ok = sum(count for status, count in result["statuses"].items() if status.startswith("2"))
    result["non_2xx"] = result["requests"] - ok
    result["errors"] = result["non_2xx"] + sum(result["socket_errors"].values())
    result["rps"] = result["requests"] / max(result["duration_us"] / 1e6, 1e-9)
    if result["requests"] >= MAX_REQUESTS:
        raise RuntimeError("wrk stopped at MAX_REQUESTS before -d ended: its req/s would be understated")
    if result["non_2xx"] and errors.exists():
        result["error_samples"] = errors.read_text().splitlines()[:5]
    return result
