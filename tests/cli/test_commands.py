"""The ``passgate`` command as operators and tooling use it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from descope import DeliveryMethod, DescopeClient

from tests.support import Inbox, database_url, free_port, passgate_cli, server_process, unique_email, wait_until_healthy


@pytest.mark.parametrize("args", [[], ["serve"], ["migrate"], ["project"], ["project", "create"], ["project", "list"]])
def test_every_command_has_help(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "passgate", *args, "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.startswith("usage: passgate")
    assert len(result.stdout.splitlines()) > 3


def test_project_create_while_serving_is_served_at_once(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url, server_process(url, tmp_path) as (base_url, _):
        output = passgate_cli(tmp_path, url, "project", "create", "--name", "late", "--json").stdout
        created = json.loads(output)  # exactly one JSON object
        assert set(created) >= {"projectId", "managementKey"}
        assert len(created["projectId"]) < 32
        assert ":" not in created["managementKey"]

        client = DescopeClient(project_id=created["projectId"], base_url=base_url)
        login_id = unique_email()
        client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        code = Inbox(tmp_path / "outbox.jsonl").code_for(login_id)
        session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
        assert client.validate_session(session["sessionToken"]["jwt"])["projectId"] == created["projectId"]

        listed = json.loads(passgate_cli(tmp_path, url, "project", "list", "--json").stdout)
        assert created["projectId"] in [p["projectId"] for p in listed]


@contextmanager
def zero_config_server(data_dir: Path, port: int, log_path: Path) -> Iterator[str]:
    """``passgate serve`` with no configuration but the data directory; yields its output so far."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    env.update(PASSGATE_DATA_DIR=str(data_dir), PASSGATE_DELIVERY="file")
    command = [sys.executable, "-m", "passgate", "serve", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", process)
            yield log_path.read_text()
        finally:
            process.terminate()
            process.wait(timeout=15)


def test_first_start_creates_everything_and_prints_how_to_sign_in(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "fresh", free_port()
    base_url = f"http://127.0.0.1:{port}"
    with zero_config_server(data_dir, port, tmp_path / "first.log") as banner:
        project_id = re.search(r"project ID\s+(P2\w+)", banner)
        management_key = re.search(r"management key\s+(pgk_\w+)", banner)
        assert project_id, banner
        assert management_key, banner
        assert base_url in banner
        assert "DescopeClient(" in banner
        assert (data_dir / "passgate.db").exists()
        assert (data_dir / "secret.key").stat().st_mode & 0o077 == 0  # owner-only

        client = DescopeClient(
            project_id=project_id.group(1), base_url=base_url, management_key=management_key.group(1)
        )
        login_id = unique_email("first")
        client.mgmt.user.create(login_id, email=login_id)
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
        code = Inbox(data_dir / "outbox.jsonl").code_for(login_id)
        assert client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)["user"]["loginIds"] == [login_id]

    with zero_config_server(data_dir, port, tmp_path / "second.log") as second:
        assert project_id.group(1) in second  # the same project, and no new key printed
        assert "management key" not in second


def test_migrate_is_idempotent(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        for _ in range(2):
            result = passgate_cli(tmp_path, url, "migrate")
            assert "newest schema" in result.stderr
