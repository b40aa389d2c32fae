"""No management call works without this project's live management key.

Every ``/v1/mgmt`` and ``/v2/mgmt`` route in the app is tried with no key, a bare project
ID, a user's refresh and session JWTs, another project's key, and a revoked key: each
must answer 401 with a Descope error and change nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from passgate.web.routes import ROUTES as TABLE
from tests.support import LiveServer, passgate_cli, signed_in, unique_email


def _management_routes() -> list[tuple[str, str]]:
    return [(route.method, route.path) for route in TABLE if route.path.startswith(("/v1/mgmt", "/v2/mgmt"))]


ROUTES = _management_routes()


@pytest.fixture(scope="module")
def bearers(server: LiveServer) -> dict[str, str]:
    settings = server.settings
    data_dir, db_url = Path(settings.data_dir), str(settings.database_url)
    other = json.loads(passgate_cli(data_dir, db_url, "project", "create", "--name", "other", "--json").stdout)
    revoked = json.loads(
        passgate_cli(
            data_dir, db_url, "mgmt-key", "create", "--project", server.project_id, "--name", "old", "--json"
        ).stdout
    )
    passgate_cli(data_dir, db_url, "mgmt-key", "revoke", "--project", server.project_id, revoked["id"])
    session = signed_in(server)
    project = server.project_id
    return {
        "no key": "",
        "project ID only": f"Bearer {project}",
        "user refresh JWT": f"Bearer {project}:{session['refreshSessionToken']['jwt']}",
        "user session JWT": f"Bearer {project}:{session['sessionToken']['jwt']}",
        "another project's key": f"Bearer {project}:{other['managementKey']}",
        "revoked key": f"Bearer {project}:{revoked['managementKey']}",
        "the key under another project": f"Bearer {other['projectId']}:{server.management_key}",
    }


_HTTP = httpx.Client()  # one keep-alive connection for the ~1,400 calls of this module


def _call(server: LiveServer, method: str, path: str, authorization: str, body: Any) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization else {}
    if method == "GET":
        return _HTTP.get(f"{server.base_url}{path}", headers=headers, params={"id": "x", "loginId": "x@example.com"})
    return _HTTP.request(method, f"{server.base_url}{path}", headers=headers, json=body)


def test_the_route_list_covers_the_management_api() -> None:
    paths = {path for _, path in ROUTES}
    assert len(ROUTES) > 70
    for expected in ("/v1/mgmt/user/create", "/v2/mgmt/user/search", "/v1/mgmt/tenant/create", "/v1/mgmt/role/create"):
        assert expected in paths
    for expected in ("/v1/mgmt/accesskey/create", "/v1/mgmt/jwt/update", "/v1/mgmt/impersonate"):
        assert expected in paths


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_management_route_refuses_every_wrong_credential(
    server: LiveServer, bearers: dict[str, str], method: str, path: str
) -> None:
    login_id = unique_email("untouched")
    body: Any = [] if path == "/v1/mgmt/user/history" else {"loginId": login_id, "name": "x", "id": "x"}
    for what, authorization in bearers.items():
        answer = _call(server, method, path, authorization, body)
        assert answer.status_code == 401, (what, answer.status_code, answer.text)
        assert answer.json()["errorCode"] in {"E011101", "E011102"}, what
    # The real key reaches the route (so the refusals above were about the credential).
    allowed = _call(server, method, path, f"Bearer {server.project_id}:{server.management_key}", body)
    assert allowed.status_code != 401 or allowed.json()["errorCode"] not in {"E011101", "E011102"}, allowed.text
    # Nothing was created by the refused calls.
    lookup = _HTTP.get(
        f"{server.base_url}/v1/mgmt/user",
        params={"loginId": login_id},
        headers={"Authorization": f"Bearer {server.project_id}:{server.management_key}"},
    )
    if path != "/v1/mgmt/user/create" and "signup" not in path and path not in {"/v1/mgmt/user/create/test"}:
        assert lookup.status_code == 404
