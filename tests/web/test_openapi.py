"""The published OpenAPI 3.1 document, and schemathesis fuzzing every operation against it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import LiveServer

# ~180 operations: 30 generated cases each (plus the coverage phase) keep CI near 15 min;
# set PASSGATE_SCHEMATHESIS_EXAMPLES higher for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("PASSGATE_SCHEMATHESIS_EXAMPLES", "30"))


def test_openapi_document_lists_every_route(server: LiveServer) -> None:
    document = httpx.get(f"{server.base_url}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/v1/auth/otp/signup/{method}",
        "/v1/auth/otp/verify/{method}",
        "/v1/auth/otp/update/email",
        "/v1/auth/otp/update/phone/{method}",
        "/v1/auth/refresh",
        "/v1/auth/me/history",
        "/v2/keys/{project_id}",
        "/v1/mgmt/tests/generate/otp",
    ):
        assert path in paths
    verify = paths["/v1/auth/otp/verify/{method}"]["post"]
    assert "422" not in verify["responses"]
    schema_ref = verify["requestBody"]["content"]["application/json"]["schema"]
    assert schema_ref["$ref"].endswith("/OTPVerifyRequest")
    assert document["components"]["schemas"]["JWTResponse"]["required"]


def test_schemathesis_finds_no_server_errors(server: LiveServer, tmp_path: Path) -> None:
    """At least 100 generated cases per operation; any 5xx fails the run."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.base_url}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--header",
        f"Authorization: Bearer {server.project_id}:{server.management_key}",
        "--seed",
        "20261123",
        "--phases",
        "examples,coverage,fuzzing",
        "--report-dir",
        str(tmp_path),
        "--request-timeout",
        "30",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Server error" not in output, output[-6000:]
