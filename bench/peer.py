"""The performance peer, run side by side: better-auth (emailOTP + jwt plugins, SQLite, Node)
from ``../shared/bench/peer-better-auth`` when that folder is present.

It is started like passgate (pinned to CPU 0, a fresh database in the run's temporary
directory) and loaded the same way: wrk with ``replay.lua``, distinct existing users for
every send-otp and sign-in (inserted into its SQLite file beforehand, as management creates
passgate's), each code used once, and a pool of signed-in sessions for the cookie paths.
Its ``node_modules`` is installed with ``npm ci`` when missing (git-ignored there).

| passgate path | peer endpoint |
|---|---|
| otp start | ``POST /api/auth/email-otp/send-verification-otp`` (type sign-in) |
| otp verify | ``POST /api/auth/sign-in/email-otp`` (makes a database session; signs no JWT) |
| refresh | ``GET /api/auth/token`` (session cookie → database → signed JWT) |
| me | ``GET /api/auth/get-session`` (also signs a JWT into ``set-auth-jwt``, the plugin's default) |
| jwks | ``GET /api/auth/jwks`` |
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from loadgen import Request
from preload import preload_peer_users
from proctree import tree_memory
from scenarios import Phases, RetryBudget, Sizes, measure_cycle
from target import SERVER_CPU, START_TIMEOUT_S, STOP_TIMEOUT_S, free_port, pinned

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "peer-better-auth"
NPM_TIMEOUT_S = 900
SESSION_COOKIE = "set-cookie"  # the sign-in answer's header that carries the session cookie
# passgate's path name -> the peer's endpoint compared with it
COUNTERPART = {
    "otp start": "send-otp",
    "otp verify": "verify",
    "refresh": "token",
    "me": "get-session",
    "jwks": "jwks",
}


class PeerUnavailable(RuntimeError):
    """The peer cannot run here (no folder, no Node, npm failed); the message says why."""


def node_version() -> str:
    """``node --version``, or an empty string without Node."""
    if shutil.which("node") is None:
        return ""
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.strip()


def prepare(folder: Path) -> dict[str, str]:
    """Check the peer's folder and Node; install its ``node_modules`` with ``npm ci`` if missing.
    Facts for the report (Node and better-auth versions); ``PeerUnavailable`` if it cannot run."""
    if not (folder / "server.mjs").exists():
        raise PeerUnavailable(f"no peer at {folder}")
    version = node_version()
    if not version:
        raise PeerUnavailable("node is not installed")
    if not (folder / "node_modules" / "better-auth").exists():
        install(folder)
    package = folder / "node_modules" / "better-auth" / "package.json"
    better_auth = json.loads(package.read_text()).get("version", "?")
    return {"node": version, "better_auth": better_auth, "folder": str(folder)}


def install(folder: Path) -> None:
    """``npm ci`` in the peer's folder (better-sqlite3 may compile from source: a minute or two)."""
    if shutil.which("npm") is None:
        raise PeerUnavailable("npm is not installed, and the peer's node_modules is missing")
    print(f"  installing the peer's node_modules: npm ci in {folder}", file=sys.stderr, flush=True)
    command = ["npm", "ci", "--no-audit", "--no-fund"]
    try:
        out = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PeerUnavailable(f"npm ci took longer than {NPM_TIMEOUT_S} s") from exc
    if out.returncode != 0:
        lines = [line for line in (out.stderr + out.stdout).splitlines() if line.removeprefix("npm error").strip()]
        raise PeerUnavailable(f"npm ci failed (exit {out.returncode}): " + " | ".join(lines[:6]))


@dataclass
class PeerServer:
    """A running peer."""

    proc: subprocess.Popen[bytes]
    port: int
    db_path: Path
    log: Path
    alg: str
    database: str | None = None  # never PostgreSQL

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid


@contextmanager
def running_peer(folder: Path, workdir: Path, alg: str) -> Iterator[PeerServer]:
    """The peer signing with ``alg``, pinned to CPU 0 on a fresh SQLite file; stopped by its PID."""
    data = workdir / f"peer-{alg}"
    data.mkdir(parents=True)
    port = free_port()
    log = data / "peer.log"
    env = {"PORT": str(port), "DB_PATH": str(data / "peer.db"), "JWT_ALG": alg, "NODE_ENV": "production"}
    with log.open("wb") as out:
        # taskset execs node, so the Popen PID is the server's own
        proc = subprocess.Popen(
            [*pinned(SERVER_CPU), "node", "server.mjs"],
            cwd=folder,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    peer = PeerServer(proc=proc, port=port, db_path=data / "peer.db", log=log, alg=alg)
    try:
        wait_ready(peer)
        yield peer
    finally:
        stop(peer)
        shutil.rmtree(data, ignore_errors=True)


def wait_ready(peer: PeerServer) -> None:
    """Poll ``/__test/stats`` until it answers, then mint the signing key with one JWKS request
    (the jwt plugin creates keys lazily and without a lock: concurrent first signs would each
    mint one)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if peer.proc.poll() is not None:
            raise RuntimeError(f"the peer exited with {peer.proc.returncode}:\n{peer.log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{peer.base_url}/__test/stats", timeout=2).status_code == 200:
                httpx.get(f"{peer.base_url}/api/auth/jwks", timeout=10).raise_for_status()
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the peer did not answer within {START_TIMEOUT_S:.0f}s")


def stop(peer: PeerServer) -> None:
    """SIGTERM the peer by its PID, SIGKILL it after ``STOP_TIMEOUT_S``."""
    if peer.proc.poll() is None:
        peer.proc.send_signal(signal.SIGTERM)
        try:
            peer.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            peer.proc.kill()
            peer.proc.wait(timeout=STOP_TIMEOUT_S)


class PeerDriver(Phases):
    """The peer's endpoints: users inserted into its database, codes from its test mailbox."""

    JSON = "application/json"

    def __init__(self, peer: PeerServer, workdir: Path, sizes: Sizes, retry_budget: RetryBudget) -> None:
        super().__init__(peer, workdir, sizes, retry_budget)
        self.peer = peer
        self.http = httpx.Client(base_url=peer.base_url, timeout=30)

    def users(self, prefix: str, count: int) -> list[str]:
        """``count`` new existing users (rows in the peer's database); their e-mails."""
        self.batches += 1
        return preload_peer_users(self.peer.db_path, f"peer{self.batches}-{prefix}", count)

    def send_requests(self, emails: list[str]) -> list[Request]:
        """A sign-in code for each of ``emails``."""
        route = "/api/auth/email-otp/send-verification-otp"
        return [Request("POST", route, body={"email": email, "type": "sign-in"}) for email in emails]

    def codes(self, prefix: str, count: int) -> list[tuple[str, str]]:
        """``count`` new users with one pending code each: ``(email, code)``."""
        self.http.get("/__test/sent")  # empty the test mailbox's log
        self.replay_lines(f"peer-send-{prefix}", self.send_requests(self.users(prefix, count)))
        lines = self.http.get("/__test/sent").raise_for_status().text.splitlines()
        return [(email, code) for email, code in (line.split("\t") for line in lines if line)]

    def verify_requests(self, codes: list[tuple[str, str]]) -> list[Request]:
        """One sign-in per code."""
        route = "/api/auth/sign-in/email-otp"
        return [Request("POST", route, body={"email": email, "otp": code}) for email, code in codes]

    def sessions(self, count: int) -> list[str]:
        """``count`` signed-in sessions: their ``Cookie`` header values."""
        requests = self.verify_requests(self.codes("pool", count))
        result, cookies = self.replay_lines("peer-sign-in", requests, header=SESSION_COOKIE)
        self.note_rate("verify", result["rps"])
        return [cookie.split(";", 1)[0] for cookie in cookies]

    def start_file(self, _connections: int = 0, count: int | None = None) -> Path:
        """send-otp once for each of new existing users (the codes are discarded)."""
        self.http.get("/__test/sent")
        emails = self.users("start", count or self.batch_size("send-otp"))
        return self.request_file(f"peer-start-{self.batches}", self.send_requests(emails))

    def verify_file(self, _connections: int = 0) -> Path:
        """Sign-in requests for fresh codes, one each."""
        codes = self.codes("verify", self.batch_size("verify"))
        return self.request_file(f"peer-verify-{self.batches}", self.verify_requests(codes))

    def cookie_file(self, name: str, route: str, cookies: list[str]) -> Path:
        """``GET route`` with each session cookie in turn."""
        return self.request_file(name, [Request("GET", route, header=f"Cookie: {cookie}") for cookie in cookies])


def run_peer_paths(driver: PeerDriver, endpoints: tuple[str, ...]) -> list[dict[str, Any]]:
    """Measure ``endpoints`` (send-otp, verify, token, get-session, jwks) on the peer."""
    phases: list[dict[str, Any]] = []
    cookies = driver.sessions(driver.sizes.sessions)
    if "send-otp" in endpoints:
        driver.warm("send-otp", driver.start_file(count=driver.sizes.sessions), "once")
        phases += driver.measure_each_concurrency("send-otp", driver.start_file, "once")
    if "verify" in endpoints:
        phases += driver.measure_each_concurrency("verify", driver.verify_file, "once")
    if "token" in endpoints:
        phases += measure_cycle(driver, "token", driver.cookie_file("peer-token", "/api/auth/token", cookies))
    if "get-session" in endpoints:
        route = "/api/auth/get-session"
        phases += measure_cycle(driver, "get-session", driver.cookie_file("peer-get-session", route, cookies))
    if "jwks" in endpoints:
        phases += measure_cycle(driver, "jwks", driver.request_file("peer-jwks", [Request("GET", "/api/auth/jwks")]))
    return phases


def bench_peer(
    folder: Path, workdir: Path, alg: str, endpoints: tuple[str, ...], sizes: Sizes, budget: RetryBudget, users: int
) -> dict[str, Any]:
    """Start the peer signing with ``alg``, preload ``users`` users, measure ``endpoints``."""
    print(f"  peer better-auth, {alg}: {', '.join(endpoints)}", file=sys.stderr, flush=True)
    with running_peer(folder, workdir, alg) as peer:
        if users:
            preload_peer_users(peer.db_path, "user", users)
        idle = tree_memory(peer.pid)
        driver = PeerDriver(peer, peer.db_path.parent, sizes, budget)
        phases = run_peer_paths(driver, endpoints)
        end = tree_memory(peer.pid)
        stats = driver.http.get("/__test/stats").json()
    labels = {"backend": "peer", "alg": alg, "workers": 1, "users": users}
    return {
        "servers": [{**labels, "memory_idle": idle, "memory_end": end, "rows": stats}],
        "phases": [{**labels, **phase} for phase in phases],
    }
