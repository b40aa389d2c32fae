"""Time ``passgate user import`` of many users (10^6 by default) on a fresh database.

Writes a JSON-lines file of users as another system would hand them over — an email login
ID, a verified email, a name and a bcrypt hash (the same hash for every line: an import
stores hashes, it never checks them), a tenth of them with a role — creates a project, then
runs the real CLI and reports the wall time and users per second. SQLite by default;
``--postgres`` uses a fresh database on 127.0.0.1:5432 (dropped afterwards).

    .venv/bin/python bench/import_million.py [--users 1000000] [--postgres] [--batch-size 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bcrypt
import psycopg

ROOT = Path(__file__).resolve().parent.parent


def write_users(path: Path, count: int) -> None:
    hashed = bcrypt.hashpw(b"correct horse battery staple", bcrypt.gensalt(10)).decode()
    with path.open("w") as out:
        for i in range(count):
            record = {
                "loginIds": [f"user{i}@example.com"],
                "email": f"user{i}@example.com",
                "verifiedEmail": True,
                "name": f"User {i}",
                "createdTime": 1_700_000_000 + i,
                "hashedPassword": {"bcrypt": {"hash": hashed}},
            }
            if i % 10 == 0:
                record["roleNames"] = ["member"]
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def passgate(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "passgate", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True)


ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_database() -> tuple[str, str]:
    name = f"passgate_import_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passgate-import-") as scratch:
        data_dir, users = Path(scratch) / "data", Path(scratch) / "users.jsonl"
        started = time.monotonic()
        write_users(users, args.users)
        print(f"wrote {args.users} users ({users.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.1f} s")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
        database = ""
        if args.postgres:
            database, env["PASSGATE_DATABASE_URL"] = postgres_database()
        try:
            project = json.loads(passgate(data_dir, env, "project", "create", "--name", "import", "--json").stdout)
            passgate(data_dir, env, "role", "create", "member", "--project", project["projectId"])
            started = time.monotonic()
            done = passgate(
                data_dir, env, "user", "import", str(users), "--project", project["projectId"],
                "--batch-size", str(args.batch_size), "--no-progress", "--json",
            )  # fmt: skip
            seconds = time.monotonic() - started
        finally:
            if database:
                drop_database(database)
        report = json.loads(done.stdout)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"{backend}: imported {report['imported']} users, {report['failed']} refused, in {seconds:.1f} s "
            f"({report['imported'] / seconds:,.0f} users/s; the CLI itself reports {report['seconds']} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
