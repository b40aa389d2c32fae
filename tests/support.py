"""Test harness: real databases, a real uvicorn on 127.0.0.1, and the sender's recorded messages."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from descope import AuthException

from passgate.clock import OffsetClock
from passgate.config import Settings
from passgate.mgmt.projects import CreatedProject, create_project
from passgate.models.projects import ProjectSettings, RateLimitSettings
from passgate.storage import migrate
from passgate.storage.connect import open_database
from passgate.wiring import create_app, load_secrets

T = TypeVar("T")
DEFAULT_REDIRECT = "http://localhost:3000/verify"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("PASSGATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def unavailable(reason: str) -> NoReturn:
    """A test's required service or tool is missing: a failure in CI (``CI=true``), a skip elsewhere."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, uniquely named PostgreSQL database, dropped afterwards."""
    import psycopg

    if not postgres_available():
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    name = f"passgate_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of ``backend`` (sqlite | postgres)."""
    if backend == "postgres":
        with fresh_postgres_database() as url:
            migrate.upgrade(url)
            yield url
    else:
        url = f"sqlite:///{tmp_path / 'passgate.db'}"
        migrate.upgrade(url)
        yield url


REDIS_URL = os.environ.get("PASSGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The test Redis URL; fails in CI and skips elsewhere when no Redis answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        unavailable(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """Messages the file sender recorded, read the way a user would read their inbox."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        text = self.path.read_text()
        # The server may be writing a line right now: only complete (newline-ended) lines count.
        complete = text[: text.rfind("\n") + 1]
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def wait_for(self, to: str, *, after: int = 0, timeout: float = 10.0) -> dict[str, Any]:
        """The first message to ``to`` beyond the first ``after`` such messages."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages() if m["to"] == to]
            if len(found) > after:
                return found[after]
            time.sleep(0.02)
        raise AssertionError(f"no message to {to} within {timeout}s")

    def links_for(self, to: str, *, after: int | None = None) -> dict[str, str]:
        """The links in the newest (or ``after``-th) message to ``to``: label → URL (``""`` if unlabelled)."""
        index = self.count(to) - 1 if after is None else after
        text = self.wait_for(to, after=max(index, 0))["text"]
        labelled = dict(re.findall(r"(\d{2}): (https?://\S+)", text))
        return labelled or {"": re.findall(r"https?://\S+?t=[\w-]+", text)[0]}

    def token_for(self, to: str, *, after: int | None = None, label: str = "") -> str:
        """The ``t`` parameter of a link sent to ``to``."""
        return token_of(self.links_for(to, after=after)[label])

    def count(self, to: str) -> int:
        return len([m for m in self.messages() if m["to"] == to])

    def code_for(self, to: str, *, after: int | None = None) -> str:
        """The code in the newest (or the ``after``-th) message to ``to``."""
        index = self.count(to) - 1 if after is None else after
        message = self.wait_for(to, after=max(index, 0))
        pattern = r"\b((?:\d ){5,9}\d)\b" if message["channel"] == "voice" else r"\b(\d{6,10})\b"
        match = re.search(pattern, message["text"])
        assert match, message
        return match.group(1).replace(" ", "")


@dataclass
class LiveServer:
    base_url: str
    project_id: str
    management_key: str
    inbox: Inbox
    clock: OffsetClock
    settings: Settings

    def client(self, *, management: bool = False) -> Any:
        from descope import DescopeClient

        return DescopeClient(
            project_id=self.project_id,
            base_url=self.base_url,
            management_key=self.management_key if management else None,
        )


# Most tests send to one login ID several times within seconds, and hammer one route from
# 127.0.0.1: their projects lift the rate limits, which have tests of their own.
RELAXED_LIMITS = RateLimitSettings(
    sends_per_address="1000/second",
    sends_per_login_id_cap="1000/second",
    sends_per_project="100000/second",
    verifies_per_ip="100000/second",
    verifies_per_login_id="100000/second",
    requests_per_ip="100000/second",
    session_requests_per_ip="100000/second",
    management_per_key="100000/second",
    phone_sends_per_prefix="100000/second",
    phone_sends_per_project="100000/second",
)


def relaxed(**fields: Any) -> ProjectSettings:
    """Project settings for tests: the given fields, with rate limits lifted (unless given)."""
    return ProjectSettings(**{"rate_limits": RELAXED_LIMITS, **fields})


def limited(**limits: str) -> ProjectSettings:
    """Relaxed project settings except for the given rate limits."""
    return relaxed(rate_limits=RELAXED_LIMITS.model_copy(update=limits))


def run_async(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())``, in a thread of its own if this thread runs an event loop
    already (Playwright's sync API keeps one running in the test's thread)."""
    return outside_any_loop(lambda: asyncio.run(main()))


def outside_any_loop(call: Callable[[], T]) -> T:
    """``call()``, in a thread of its own if this thread runs an event loop (for code that
    calls ``asyncio.run``: Playwright's sync API keeps a loop running in the thread of every
    test an xdist worker runs after a browser test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(call).result()


def make_project(
    settings: Settings, *, name: str = "test", project_settings: ProjectSettings | None = None
) -> CreatedProject:
    async def run() -> CreatedProject:
        db = await open_database(settings.resolved_database_url(), pool_size=1)
        try:
            return await create_project(db, load_secrets(settings), OffsetClock(), name=name, settings=project_settings)
        finally:
            await db.close()

    return run_async(run)


def another_project(server: LiveServer, project_settings: ProjectSettings | None = None) -> LiveServer:
    """The same running server, acting for a new project of its own (``relaxed()`` settings
    unless given): for tests whose writes change what the rest of a project accepts."""
    created = make_project(server.settings, project_settings=project_settings or relaxed())
    return dataclasses.replace(server, project_id=created.project.id, management_key=created.management_key)


@contextmanager
def live_server(
    db_url: str,
    data_dir: Path,
    *,
    project_settings: ProjectSettings | None = None,
    delivery_file_name: str = "outbox.jsonl",
    **overrides: Any,
) -> Iterator[LiveServer]:
    """uvicorn serving passgate on a free loopback port, in a background thread (with a new project).

    ``overrides`` are further ``Settings`` fields (providers, templates, outbox tuning, a
    project cache: none by default, so every settings change is served at once).
    """
    settings = Settings(
        data_dir=data_dir,
        database_url=db_url,
        delivery="file",
        delivery_file=data_dir / delivery_file_name,
        outbox_poll_seconds=0.05,
        **{"project_cache_seconds": 0, **overrides},
    )
    created = make_project(settings, project_settings=project_settings or relaxed())
    clock = OffsetClock()
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_keep_alive=120,  # no idle-close races with pooled test clients
        proxy_headers=False,  # as `passgate serve`: passgate decides which proxies to believe
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(
            base_url=f"http://127.0.0.1:{port}",
            project_id=created.project.id,
            management_key=created.management_key,
            inbox=Inbox(settings.resolved_delivery_file()),
            clock=clock,
            settings=settings,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def token_of(link: str) -> str:
    """The ``t`` query parameter of a magic or enchanted link."""
    return parse_qs(urlsplit(link).query)["t"][0]


def unique_email(tag: str = "user") -> str:
    return f"{tag}.{secrets.token_hex(5)}@example.com"


def unique_phone() -> str:
    # US numbers: the exchange (first of the seven digits) must be 2-9 to be valid.
    return f"+1415{secrets.randbelow(8_000_000) + 2_000_000}"


@contextmanager
def server_process(
    db_url: str, data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``passgate serve`` as its own process (several workers if asked); yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "PASSGATE_DATA_DIR": str(data_dir),
        "PASSGATE_DATABASE_URL": db_url,
        "PASSGATE_DELIVERY": "file",
        "PASSGATE_PROJECT_CACHE_SECONDS": "0",
        "PASSGATE_OUTBOX_POLL_SECONDS": "0.05",
        **(env or {}),
    }
    log = (data_dir / f"server-{port}.log").open("wb")
    command = [sys.executable, "-m", "passgate", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until(predicate: Callable[[], object], timeout: float = 10) -> None:
    """Poll ``predicate`` every 20 ms until it is true; ``AssertionError`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s")
        time.sleep(0.02)


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


def passgate_cli(data_dir: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``passgate`` CLI against ``db_url``; raises if it fails."""
    env = {**os.environ, "PASSGATE_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "passgate", "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


_ENV_LOCK = threading.Lock()


def passgate_cli_in_process(data_dir: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``passgate ARGS`` run through ``passgate.cli.main`` in this process, with the same
    contract as ``passgate_cli`` (raises ``CalledProcessError`` on a non-zero exit) but
    without a new interpreter per call: the operator tests make hundreds of calls."""
    from passgate.cli import main

    argv = ["--data-dir", str(data_dir), *args]
    out, err = io.StringIO(), io.StringIO()
    with _ENV_LOCK, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        saved = os.environ.get("PASSGATE_DATABASE_URL")
        os.environ["PASSGATE_DATABASE_URL"] = db_url
        try:
            status = outside_any_loop(lambda: main(argv))
        except SystemExit as exit_:  # argparse usage errors
            status = exit_.code if isinstance(exit_.code, int) else 2
        finally:
            if saved is None:
                os.environ.pop("PASSGATE_DATABASE_URL", None)
            else:
                os.environ["PASSGATE_DATABASE_URL"] = saved
    done = subprocess.CompletedProcess(["passgate", *argv], status, out.getvalue(), err.getvalue())
    if status:
        raise subprocess.CalledProcessError(status, done.args, done.stdout, done.stderr)
    return done


def signed_in(server: LiveServer, login_id: str | None = None, method: Any = None) -> dict[str, Any]:
    """Sign up or in through the SDK with the code from the inbox; the SDK's JWT response."""
    from descope import DeliveryMethod

    client, method = server.client(), method or DeliveryMethod.EMAIL
    login_id = login_id or unique_email()
    client.otp.sign_up_or_in(method, login_id)
    return dict(client.otp.verify_code(method, login_id, server.inbox.code_for(login_id)))


def error_code(exc: Any) -> str:
    """The Descope ``errorCode`` of an SDK ``AuthException`` (its message is the error body)."""
    return str(json.loads(str(exc.error_message))["errorCode"])


def tag(prefix: str) -> str:
    """``prefix`` made unique per call, for names and IDs a test creates."""
    return f"{prefix}-{secrets.token_hex(4)}"


def mgmt_request(server: LiveServer, method: str, path: str, body: Any = None) -> httpx.Response:
    """A raw management request, for what the SDK validates locally or cannot send."""
    headers = {"Authorization": f"Bearer {server.project_id}:{server.management_key}"}
    return httpx.request(method, server.base_url + path, json=body, headers=headers, timeout=30)


def refused_code(call: Any, *args: Any, **kwargs: Any) -> str:
    """The Descope error code of the ``AuthException`` that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(AuthException) as refused:
        call(*args, **kwargs)
    return error_code(refused.value)


def audit_search(server: LiveServer, **filters: Any) -> list[dict[str, Any]]:
    """The audit events ``POST /v1/mgmt/audit/search`` answers for ``filters`` (asserting a 200)."""
    response = mgmt_request(server, "POST", "/v1/mgmt/audit/search", filters)
    assert response.status_code == 200, response.text
    return list(response.json()["audits"])


def stored_rows(server: LiveServer, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows ``sql`` reads from the server's database, for tests of what is (not) stored."""
    from passgate.storage.connect import open_database

    async def run() -> list[dict[str, Any]]:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            async with db.transaction(write=False) as tx:
                return [dict(row) for row in await tx.fetch_all(sql, params or {})]
        finally:
            await db.close()

    return run_async(run)
