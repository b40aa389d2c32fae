"""Project settings over the management API: read, change, validated, live without a restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import AuthException, DeliveryMethod, DescopeClient

from tests.support import Inbox, LiveServer, database_url, passgate_cli, server_process, unique_email

SETTINGS = "/v1/mgmt/project/settings"


def _headers(project_id: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {project_id}:{key}"}


def _get(server: LiveServer) -> dict[str, Any]:
    response = httpx.get(server.base_url + SETTINGS, headers=_headers(server.project_id, server.management_key))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _change(server: LiveServer, patch: Any) -> httpx.Response:
    return httpx.post(
        server.base_url + SETTINGS, json=patch, headers=_headers(server.project_id, server.management_key)
    )


@contextmanager
def changed(server: LiveServer, patch: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The project's settings with ``patch`` applied, put back afterwards (the server is shared)."""
    before = _get(server)
    response = _change(server, patch)
    assert response.status_code == 200, response.text
    try:
        yield dict(response.json())
    finally:
        assert _change(server, before).status_code == 200


def _code_length(client: DescopeClient, inbox: Inbox) -> int:
    login_id = unique_email("len")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    return len(inbox.code_for(login_id))


def test_read_answers_every_setting(server: LiveServer) -> None:
    settings = _get(server)
    assert settings["otp_length"] == 6
    assert set(settings) >= {
        "otp_expiry_seconds",
        "link_expiry_seconds",
        "session_ttl_seconds",
        "refresh_ttl_seconds",
        "approved_redirect_urls",
        "default_redirect_url",
        "enabled_channels",
        "providers",
        "default_locale",
    }
    assert sorted(settings["enabled_channels"]) == ["email", "sms", "voice", "whatsapp"]


def test_changed_otp_length_is_the_length_of_the_next_code(server: LiveServer) -> None:
    client = server.client()
    assert _code_length(client, server.inbox) == 6
    with changed(server, {"otp_length": 8}) as settings:
        assert settings["otp_length"] == 8
        assert settings["rate_limits"] == _get(server)["rate_limits"]  # the answer is the full settings
        assert _code_length(client, server.inbox) == 8
    assert _code_length(client, server.inbox) == 6


def test_changed_session_lifetime_shapes_the_next_session(server: LiveServer) -> None:
    client = server.client()
    with changed(server, {"session_ttl_seconds": 120}):
        login_id = unique_email("ttl")
        client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
        claims = client.validate_session(session["sessionToken"]["jwt"])
        assert claims["exp"] - claims["iat"] == 120


def test_a_disabled_channel_sends_nothing(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("off")
    with changed(server, {"enabled_channels": ["sms"]}):
        with pytest.raises(AuthException) as refused:
            client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        assert json.loads(str(refused.value.error_message))["errorCode"] == "E011004"
    assert server.inbox.count(login_id) == 0
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)  # enabled again
    assert server.inbox.code_for(login_id)


def test_nested_settings_merge_and_null_resets_a_default(server: LiveServer) -> None:
    before = _get(server)
    with changed(server, {"rate_limits": {"sends_per_project": "99999/minute"}, "otp_expiry_seconds": 120}) as after:
        assert after["rate_limits"] == {**before["rate_limits"], "sends_per_project": "99999/minute"}
        reset = _change(server, {"otp_expiry_seconds": None})
        assert reset.json()["otp_expiry_seconds"] == 300


@pytest.mark.parametrize(
    ("patch", "code", "field"),
    [
        ({"otp_length": 3}, "E011003", "otp_length"),
        ({"otp_length": "eight"}, "E011003", "otp_length"),
        ({"enabled_channels": ["email", "pigeon"]}, "E011003", "enabled_channels"),
        ({"rate_limits": {"sends_per_project": "lots"}}, "E011003", "rate_limits.sends_per_project"),
        ({"otp_lenght": 8}, "E011004", "otp_lenght"),
        ({"rate_limits": {"per_moon": "1/day"}}, "E011004", "rate_limits.per_moon"),
        ({"rate_limits": {"sends_per_project": "5/9999 years"}}, "E011004", "rate_limits.sends_per_project"),
        ({"approved_redirect_urls": ["javascript:alert(1)"]}, "E011004", "approved_redirect_urls"),
        ({"default_redirect_url": "https://elsewhere.example/cb"}, "E011004", "default_redirect_url"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting_and_changes_nothing(
    server: LiveServer, patch: dict[str, Any], code: str, field: str
) -> None:
    before = _get(server)
    response = _change(server, {"otp_length": 7, **patch})
    assert response.status_code == 400
    assert response.json()["errorCode"] == code
    assert field in response.json()["errorMessage"]
    assert _get(server) == before


def test_a_body_that_is_not_an_object_is_refused(server: LiveServer) -> None:
    response = _change(server, ["otp_length", 8])
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011003"


def test_settings_need_the_management_key(server: LiveServer) -> None:
    assert (
        httpx.get(server.base_url + SETTINGS, headers={"Authorization": f"Bearer {server.project_id}"}).status_code
        == 401
    )
    wrong = _headers(server.project_id, "pgk_wrong")
    assert httpx.post(server.base_url + SETTINGS, json={"otp_length": 8}, headers=wrong).status_code == 401
    assert _get(server)["otp_length"] == 6


def test_every_instance_serves_a_change_within_the_cache_ttl(backend: str, tmp_path: Path) -> None:
    """Two servers on one database, each caching projects for 2 s: the one changed serves the
    change at once, the other within its TTL."""
    cached = {"PASSGATE_PROJECT_CACHE_SECONDS": "2"}
    with (
        database_url(backend, tmp_path) as url,
        server_process(url, tmp_path, env=cached) as (first, _),
        server_process(url, tmp_path, env=cached) as (second, _),
    ):
        created = json.loads(passgate_cli(tmp_path, url, "project", "create", "--name", "two", "--json").stdout)
        project_id, key = created["projectId"], created["managementKey"]
        inbox = Inbox(tmp_path / "outbox.jsonl")
        clients = [DescopeClient(project_id=project_id, base_url=base) for base in (first, second)]
        assert [_code_length(client, inbox) for client in clients] == [6, 6]  # both have it cached now

        changed_at = time.monotonic()
        response = httpx.post(first + SETTINGS, json={"otp_length": 9}, headers=_headers(project_id, key))
        assert response.status_code == 200, response.text
        assert _code_length(clients[0], inbox) == 9
        while _code_length(clients[1], inbox) != 9:
            assert time.monotonic() - changed_at < 2 + 1, "the second instance still serves the old length"
            time.sleep(0.2)
