"""An unexpected server error costs one answer, never the client's keep-alive connection."""

from __future__ import annotations

import http.client
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import LiveServer, database_url, live_server, unique_email


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path) as live:
        yield live


def break_challenges_table(server: LiveServer) -> None:
    """An operator's accident outside passgate: the table of pending codes is gone."""
    path = urlsplit(str(server.settings.database_url)).path
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE challenges")


def test_a_500_keeps_the_connection_for_the_next_request(server: LiveServer) -> None:
    break_challenges_table(server)
    address = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        body = json.dumps({"loginId": unique_email("fault")})
        headers = {"Authorization": f"Bearer {server.project_id}", "Content-Type": "application/json"}
        conn.request("POST", "/v1/auth/otp/signup-in/email", body, headers)
        failed = conn.getresponse()
        answer = json.loads(failed.read())
        assert failed.status == 500
        assert answer["errorCode"] == "E010001"
        assert set(answer) >= {"errorCode", "errorDescription", "errorMessage"}
        assert "Traceback" not in answer["errorMessage"]
        assert "challenges" not in answer["errorMessage"]
        assert (failed.getheader("connection") or "").lower() != "close"
        conn.request("GET", "/healthz")  # the same socket: a reset here is the defect
        after = conn.getresponse()
        assert after.status == 200
        after.read()
    finally:
        conn.close()
