"""A PostgreSQL server of a test's own, which the test may stop and start at will.

Outage tests stop the server under a running passgate; they must never stop the shared
one (``tests/support.POSTGRES_ADMIN_URL``), which other tests and engineers are using. This
one lives in a fresh temporary directory, listens on a free loopback port (and a Unix
socket in its own directory), trusts local connections, and is removed afterwards.

The binaries are PostgreSQL 15's (``PASSGATE_TEST_PG_BIN`` names another directory). In CI
a missing binary fails the test; elsewhere it skips, the policy of ``tests/support.py``.
PostgreSQL refuses to run as root, so as root every command runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import free_port, unavailable

PG_BIN = Path(os.environ.get("PASSGATE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "postgres"  # the account the server runs as when the tests run as root


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", OWNER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    """Run a PostgreSQL tool; its output goes into the failure message if it fails."""
    done = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=60, check=False)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")


@dataclass
class PrivatePostgres:
    """A server in ``root`` (data in ``root/data``) on 127.0.0.1:``port``."""

    root: Path
    port: int
    running: bool = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start(self) -> None:
        """Start the server; return once it accepts connections (``pg_ctl -w``)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}"
            " -c fsync=off"  # a test database: nothing here must survive a power cut
        )
        log = str(self.root / "server.log")
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, "start"])
        self.running = True

    def crash(self) -> None:
        """Stop the server the way a crash or a killed container does: ``-m immediate``,
        every backend gone at once, no shutdown checkpoint."""
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        self.running = False


def _require_binaries() -> None:
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).exists()]
    if not missing:
        return
    unavailable(f"PostgreSQL binaries {missing} not found in {PG_BIN} (set PASSGATE_TEST_PG_BIN)")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new, running server of this test's own; stopped and deleted afterwards."""
    _require_binaries()
    # Not pytest's tmp_path: its directories are root's own (mode 0700), out of the
    # postgres user's reach.
    root = Path(tempfile.mkdtemp(prefix="passgate-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, OWNER, OWNER)
        _run([str(PG_BIN / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "--no-sync"])
        server = PrivatePostgres(root, free_port())
        server.start()
        try:
            yield server
        finally:
            if server.running:
                server.crash()  # quickest, and nothing in it is kept
    finally:
        shutil.rmtree(root, ignore_errors=True)
