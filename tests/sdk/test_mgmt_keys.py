"""Management keys through ``client.mgmt.management_key``: create (shown once), search, load,
update (status, addresses), delete; and what each does to the calls made with the key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from descope import AuthException, DescopeClient
from descope.management.common import MgmtKeyProjectRole, MgmtKeyReBac, MgmtKeyStatus

from tests.support import LiveServer, error_code, mgmt_request, refused_code, tag


def client_with(server: LiveServer, management_key: str) -> DescopeClient:
    return DescopeClient(project_id=server.project_id, base_url=server.base_url, management_key=management_key)


def works(server: LiveServer, management_key: str) -> bool:
    """Whether a management call made with the key is accepted (refused: 401 E011102)."""
    refusal: AuthException | None = None
    try:
        client_with(server, management_key).mgmt.management_key.search()
    except AuthException as refused:
        refusal = refused
    if refusal is None:
        return True
    assert (refusal.status_code, error_code(refusal)) == (401, "E011102")
    return False


@contextmanager
def clock_moved(server: LiveServer, seconds: float) -> Iterator[None]:
    """The server's clock ``seconds`` ahead for the block (the module's server is shared)."""
    server.clock.advance(seconds)
    try:
        yield
    finally:
        server.clock.advance(-seconds)


def test_a_created_key_is_shown_once_and_works_at_once(server: LiveServer) -> None:
    keys = server.client(management=True).mgmt.management_key
    rebac = MgmtKeyReBac(project_roles=[MgmtKeyProjectRole([server.project_id], ["Project Admin"])])
    created = keys.create(tag("deploy"), rebac, description="the deploy pipeline")
    cleartext, key = created["cleartext"], created["key"]
    assert cleartext.startswith("pgk_")
    assert ":" not in cleartext
    assert key["status"] == "active"
    assert key["description"] == "the deploy pipeline"
    assert key["expireTime"] == 0
    assert key["reBac"] == {"projectRoles": [{"projectIds": [server.project_id], "roles": ["Project Admin"]}]}
    assert works(server, cleartext)

    listed = keys.search()["keys"]
    assert key in listed
    assert keys.load(key["id"]) == {"key": key}
    assert cleartext not in json.dumps(listed)  # never shown again


def test_an_inactive_key_is_refused_until_reactivated(server: LiveServer) -> None:
    keys = server.client(management=True).mgmt.management_key
    created = keys.create(tag("paused"), MgmtKeyReBac())
    key_id, cleartext = created["key"]["id"], created["cleartext"]

    updated = keys.update(key_id, "renamed", "now paused", [], MgmtKeyStatus.INACTIVE)["key"]
    assert (updated["name"], updated["description"], updated["status"]) == ("renamed", "now paused", "inactive")
    assert not works(server, cleartext)
    keys.update(key_id, "renamed", "", [], MgmtKeyStatus.ACTIVE)
    assert works(server, cleartext)


def test_a_deleted_key_is_gone_for_good(server: LiveServer) -> None:
    keys = server.client(management=True).mgmt.management_key
    created = keys.create(tag("doomed"), MgmtKeyReBac())
    key_id, cleartext = created["key"]["id"], created["cleartext"]

    assert keys.delete([key_id, "K2doesnotexist"]) == {"total": 1}
    assert not works(server, cleartext)
    assert key_id not in [key["id"] for key in keys.search()["keys"]]
    with pytest.raises(AuthException) as gone:
        keys.load(key_id)
    assert (gone.value.status_code, error_code(gone.value)) == (404, "E112106")
    assert refused_code(keys.update, key_id, "back", "", [], MgmtKeyStatus.ACTIVE) == "E112106"
    assert keys.delete([key_id]) == {"total": 0}


def test_a_key_may_delete_itself(server: LiveServer) -> None:
    created = server.client(management=True).mgmt.management_key.create(tag("self"), MgmtKeyReBac())
    own = client_with(server, created["cleartext"]).mgmt.management_key
    assert own.delete([created["key"]["id"]]) == {"total": 1}
    assert not works(server, created["cleartext"])


def test_a_key_expires(server: LiveServer) -> None:
    created = server.client(management=True).mgmt.management_key.create(tag("brief"), MgmtKeyReBac(), expires_in=60)
    assert created["key"]["expireTime"] == created["key"]["createdTime"] + 60
    assert works(server, created["cleartext"])
    with clock_moved(server, 61):
        assert not works(server, created["cleartext"])


@pytest.mark.parametrize(("permitted", "allowed"), [(["127.0.0.1"], True), (["10.0.0.0/8", "::1"], False)])
def test_a_key_works_only_from_its_permitted_addresses(server: LiveServer, permitted: list[str], allowed: bool) -> None:
    keys = server.client(management=True).mgmt.management_key
    created = keys.create(tag("fenced"), MgmtKeyReBac(), permitted_ips=permitted)
    assert created["key"]["permittedIps"] == permitted
    assert works(server, created["cleartext"]) is allowed
    keys.update(created["key"]["id"], "unfenced", "", [], MgmtKeyStatus.ACTIVE)  # no addresses: any
    assert works(server, created["cleartext"])


@pytest.mark.parametrize(
    ("method", "path", "body", "code"),
    [
        ("PUT", "/v1/mgmt/managementkey", {"reBac": {}}, "E011002"),
        ("PUT", "/v1/mgmt/managementkey", {"name": "  "}, "E011002"),
        ("PUT", "/v1/mgmt/managementkey", {"name": "k", "permittedIps": ["not-an-ip"]}, "E011004"),
        ("PUT", "/v1/mgmt/managementkey", {"name": "k", "expiresIn": -1}, "E011003"),
        ("PUT", "/v1/mgmt/managementkey", {"name": "k", "reBac": {"companyRoles": "admin"}}, "E011003"),
        ("PATCH", "/v1/mgmt/managementkey", {"name": "k", "status": "active"}, "E011002"),
        ("PATCH", "/v1/mgmt/managementkey", {"id": "K2x", "name": "k", "status": "paused"}, "E011003"),
        ("PATCH", "/v1/mgmt/managementkey", {"id": "K2x", "name": "k"}, "E011002"),
        ("PATCH", "/v1/mgmt/managementkey", {"id": "K2unknown", "name": "k", "status": "active"}, "E112106"),
        ("POST", "/v1/mgmt/managementkey/delete", {"ids": []}, "E011002"),
        ("GET", "/v1/mgmt/managementkey", None, "E011002"),
    ],
)
def test_bad_requests_get_descope_errors(server: LiveServer, method: str, path: str, body: Any, code: str) -> None:
    response = mgmt_request(server, method, path, body)
    assert 400 <= response.status_code < 500
    assert response.json()["errorCode"] == code
