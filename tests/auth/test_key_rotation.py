"""Signing-key rotation: published before it signs, old tokens keep verifying, and the SDK
follows without a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from tests.support import LiveServer, database_url, live_server, passgate_cli, signed_in


@pytest.fixture
def rotating(backend: str, tmp_path: Path) -> Iterator[LiveServer]:
    with database_url(backend, tmp_path) as url, live_server(url, tmp_path, key_cache_seconds=0) as live:
        yield live


def _kids(live: LiveServer) -> list[str]:
    return [key["kid"] for key in httpx.get(f"{live.base_url}/v2/keys/{live.project_id}").json()["keys"]]


def _rotate(live: LiveServer, publish_seconds: float) -> str:
    database = live.settings.resolved_database_url()
    out = passgate_cli(
        live.settings.data_dir,
        database,
        "keys",
        "rotate",
        "--project",
        live.project_id,
        "--publish-seconds",
        str(publish_seconds),
        "--json",
    )
    return str(json.loads(out.stdout)["kid"])


def test_rotation_publishes_first_then_signs_and_the_sdk_follows(rotating: LiveServer) -> None:
    live, client = rotating, rotating.client()
    before = signed_in(live)
    old_kid = jwt.get_unverified_header(before["sessionToken"]["jwt"])["kid"]
    client.validate_session(before["sessionToken"]["jwt"])  # the SDK caches the JWKS now

    next_kid = _rotate(live, publish_seconds=3600)
    assert _kids(live) == [old_kid, next_kid]  # published ...
    still = signed_in(live)
    assert jwt.get_unverified_header(still["sessionToken"]["jwt"])["kid"] == old_kid  # ... but not signing yet

    newest = _rotate(live, publish_seconds=0)  # a newer rotation replaces the pending one, due at once
    after = signed_in(live)
    assert jwt.get_unverified_header(after["sessionToken"]["jwt"])["kid"] == newest
    assert _kids(live) == [newest, old_kid]  # the retired key stays published
    assert next_kid not in _kids(live)

    # The same SDK client, never restarted: a new kid makes it refetch the JWKS.
    assert client.validate_session(after["sessionToken"]["jwt"])["userId"] == after["user"]["userId"]
    assert client.validate_session(before["sessionToken"]["jwt"])["userId"] == before["user"]["userId"]
    refreshed = client.refresh_session(before["refreshSessionToken"]["jwt"])  # signed by the retired key
    assert jwt.get_unverified_header(refreshed["sessionToken"]["jwt"])["kid"] == newest

    listed = json.loads(
        passgate_cli(live.settings.data_dir, live.settings.resolved_database_url(), "keys", "list", "--json").stdout
    )
    assert {key["kid"]: key["status"] for key in listed} == {newest: "active", old_kid: "retired"}


def test_retired_key_leaves_the_jwks_once_its_tokens_expired(rotating: LiveServer) -> None:
    live = rotating
    old_kid = _kids(live)[0]
    _rotate(live, publish_seconds=0)
    signed_in(live)  # loads the keys, promoting the new one
    assert old_kid in _kids(live)
    live.clock.advance(28 * 86400 + 60)  # the longest-lived token it signed has expired
    try:
        assert old_kid not in _kids(live)
    finally:
        live.clock.advance(-(28 * 86400 + 60))
