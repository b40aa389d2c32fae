"""The system under test: a fresh database, a project, preloaded users, and ``passgate serve``
as a real subprocess.

One worker is pinned to CPU 0 (``taskset -c 0``) where the machine has two or more CPUs;
several workers may use every CPU (the load generator's included). PostgreSQL's own
processes belong to the system service and are not pinned.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from preload import preload_users
from proctree import tree_memory

PASSGATE = Path(sys.executable).parent / "passgate"  # the command of the venv the bench runs in
SERVER_CPU, LOAD_CPU = 0, 1
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
_CPUS_AT_START = frozenset(os.sched_getaffinity(0))  # before run.py pins itself to LOAD_CPU


def can_pin() -> bool:
    """Whether server and load generator can each get a CPU of their own."""
    return shutil.which("taskset") is not None and {SERVER_CPU, LOAD_CPU} <= _CPUS_AT_START


def pinned(cpu: int) -> list[str]:
    """The ``taskset`` prefix that runs a command on ``cpu`` (empty where pinning is impossible)."""
    return ["taskset", "-c", str(cpu)] if can_pin() else []


def server_cpus(workers: int) -> list[str]:
    """The prefix that places a server of ``workers`` processes: one worker on CPU 0, more on
    every CPU this bench started with (``-c 0,1`` here: they share CPU 1 with wrk)."""
    if workers == 1 or not can_pin():
        return pinned(SERVER_CPU)
    return ["taskset", "-c", ",".join(str(cpu) for cpu in sorted(_CPUS_AT_START))]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A new database ``passgate_bench_<random>`` on the server of ``admin_url``, dropped afterwards."""
    import psycopg

    name = f"passgate_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_postgres(admin_url: str) -> str:
    """The PostgreSQL server's version; exits with a hint if it cannot be reached."""
    import psycopg

    try:
        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except psycopg.Error as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {admin_url} ({exc}); pass --backends sqlite") from exc


@dataclass(frozen=True)
class Project:
    """The project the bench signs in to."""

    project_id: str
    management_key: str
    database_url: str  # as the server resolves it (the SQLite file of its data directory)


def create_project(data_dir: Path, database_url: str | None, alg: str) -> Project:
    """Migrate the database, then create a project signing with ``alg`` (passgate's own Python API)."""
    from passgate.clock import SystemClock
    from passgate.config import Settings
    from passgate.mgmt.projects import create_project as create
    from passgate.models.projects import ProjectSettings
    from passgate.storage import migrate
    from passgate.storage.connect import open_database
    from passgate.wiring import load_secrets

    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key=None)
    project_settings = ProjectSettings(jwt_algorithm=alg, **lifted_rate_limits(ProjectSettings))
    url = settings.resolved_database_url()
    migrate.upgrade(url)

    async def run() -> Project:
        db = await open_database(url, pool_size=1)
        try:
            created = await create(
                db,
                load_secrets(settings),
                SystemClock(),
                name=f"bench-{alg}",
                settings=project_settings,
            )
        finally:
            await db.close()
        return Project(created.project.id, created.management_key, url)

    return asyncio.run(run())


def lifted_rate_limits(project_settings: Any) -> dict[str, Any]:
    """Rate limits far above the bench's load, for servers that have them: every request comes
    from 127.0.0.1 and set-up hammers one management key. The limiter still counts each request."""
    field = project_settings.model_fields.get("rate_limits")
    if field is None:
        return {}
    return {"rate_limits": dict.fromkeys(field.annotation.model_fields, "100000/second")}


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the server: the caller's without any ``PASSGATE_*``, plus the bench's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PASSGATE_")}
    env.update(PASSGATE_DATA_DIR=str(data_dir), PASSGATE_DELIVERY="none", PASSGATE_LOG_LEVEL="warning")
    if database_url:
        env["PASSGATE_DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    """A running ``passgate serve`` and what the bench needs to talk to it."""

    proc: subprocess.Popen[bytes]
    port: int
    project: Project
    log: Path
    database: str | None  # the PostgreSQL database's name; None on SQLite
    workers: int = 1
    placement: str = ""  # the taskset CPU list, or "" where unpinned
    preload_s: float = 0.0  # seconds the preloaded users took to insert

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid


def start_server(
    data_dir: Path, database_url: str | None, project: Project, workers: int = 1, passgate: Path = PASSGATE
) -> Server:
    """Start ``passgate`` (one worker pinned to CPU 0) and wait until ``/healthz`` answers."""
    port = free_port()
    log = data_dir / "server.log"
    placement = server_cpus(workers)
    command = [str(passgate), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        # taskset execs passgate, so the Popen PID is the server's own
        proc = subprocess.Popen(
            [*placement, *command], env=server_env(data_dir, database_url), stdout=out, stderr=subprocess.STDOUT
        )
    database = database_url.rsplit("/", 1)[1] if database_url else None
    server = Server(
        proc=proc,
        port=port,
        project=project,
        log=log,
        database=database,
        workers=workers,
        placement=placement[-1] if placement else "",
    )
    try:
        wait_ready(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def wait_ready(server: Server) -> None:
    """Poll ``/healthz`` until it answers 200 (bounded by ``START_TIMEOUT_S``) and, with several
    workers, until every worker has started."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"passgate exited with {server.proc.returncode}:\n{server.log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200 and workers_up(server):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"passgate did not answer /healthz within {START_TIMEOUT_S:.0f}s")


def workers_up(server: Server) -> bool:
    """Whether the server has as many worker processes as it was asked for."""
    if server.workers == 1:
        return True
    return len(tree_memory(server.pid)["worker_rss_mib"]) >= server.workers


def stop_server(server: Server) -> int | None:
    """SIGTERM the server by its PID, SIGKILL it after ``STOP_TIMEOUT_S``; its exit code."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=STOP_TIMEOUT_S)
    return server.proc.returncode


@dataclass(frozen=True)
class ServerSpec:
    """What to start: the database, the signing algorithm, workers, preloaded users."""

    backend: str
    alg: str
    workers: int = 1
    users: int = 0

    def labels(self) -> dict[str, Any]:
        return {"backend": self.backend, "alg": self.alg, "workers": self.workers, "users": self.users}


@contextmanager
def running_server(
    spec: ServerSpec, workdir: Path, postgres_admin_url: str, passgate: Path = PASSGATE, label: str = ""
) -> Iterator[Server]:
    """A fresh database of ``spec.backend``, a project signing with ``spec.alg``, ``spec.users``
    users preloaded, and the server on it with ``spec.workers`` workers.

    ``passgate`` is the command that serves (another checkout's, to compare two trees on the
    same schema; ``label`` then names its data directory). Everything is removed afterwards:
    the server stopped by its PID, the PostgreSQL database dropped, the data directory deleted.
    """
    data_dir = workdir / f"{label}{spec.backend}-{spec.alg}-w{spec.workers}-u{spec.users}"
    data_dir.mkdir(parents=True)
    try:
        with _database(spec.backend, postgres_admin_url) as database_url:
            project = create_project(data_dir, database_url, spec.alg)
            took = 0.0
            if spec.users:
                took = preload_users(project.database_url, project.project_id, spec.users)
                print(f"    preloaded {spec.users:,} users in {took:.1f} s", file=sys.stderr, flush=True)
            server = start_server(data_dir, database_url, project, spec.workers, passgate)
            server.preload_s = took
            try:
                yield server
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _database(backend: str, postgres_admin_url: str) -> Iterator[str | None]:
    """The database URL for ``backend``: ``None`` (SQLite in the data directory) or a fresh PostgreSQL one."""
    if backend == "postgres":
        with fresh_postgres_database(postgres_admin_url) as url:
            yield url
    else:
        yield None
