"""Anonymous users (``client.mgmt.jwt.anonymous``) refresh their sessions through the SDK and
keep what makes them anonymous; calls about a stored user are refused."""

from __future__ import annotations

import pytest
from descope import AuthException

from tests.support import LiveServer, error_code, refused_code, tag


def anonymous_session(server: LiveServer, **options: object) -> dict[str, object]:
    return dict(server.client(management=True).mgmt.jwt.anonymous(**options))


def test_an_anonymous_refresh_jwt_refreshes_and_keeps_its_claims(server: LiveServer) -> None:
    tenant_id = server.client(management=True).mgmt.tenant.create(tag("shop"))["id"]
    first = anonymous_session(server, custom_claims={"cart": "c-9"}, tenant_id=tenant_id)
    refresh_jwt = first["refreshSessionToken"]["jwt"]  # type: ignore[index]
    client = server.client()

    refreshed = client.refresh_session(refresh_jwt)

    session = client.validate_session(refreshed["sessionToken"]["jwt"])
    original = first["sessionToken"]
    assert session["danu"] is True
    assert session["sub"] == original["sub"]  # type: ignore[index]
    assert (session["cart"], session["dct"], session["amr"]) == ("c-9", tenant_id, [])
    assert session["drn"] == "DS"
    assert refreshed["refreshSessionToken"]["jwt"] == refresh_jwt  # nothing to rotate: no session is recorded
    assert client.refresh_session(refresh_jwt)["sessionToken"]["danu"] is True  # and again


def test_validate_and_refresh_session_refreshes_an_anonymous_session(server: LiveServer) -> None:
    first = anonymous_session(server)
    refresh_jwt = first["refreshSessionToken"]["jwt"]  # type: ignore[index]
    client = server.client()
    answer = client.validate_and_refresh_session("not.a.jwt", refresh_jwt)
    assert answer["sessionToken"]["danu"] is True
    assert answer["sessionToken"]["sub"] == first["sessionToken"]["sub"]  # type: ignore[index]


def test_an_anonymous_refresh_jwt_stops_at_its_expiry(server: LiveServer) -> None:
    refresh_jwt = anonymous_session(server, refresh_duration=600)["refreshSessionToken"]["jwt"]  # type: ignore[index]
    server.clock.advance(620)  # beyond the 5 s leeway
    try:
        with pytest.raises(AuthException) as expired:
            server.client().refresh_session(refresh_jwt)  # the SDK checks with the real clock; the server refuses
    finally:
        server.clock.advance(-620)
    assert (expired.value.status_code, error_code(expired.value)) == (401, "E064002")


@pytest.mark.parametrize("call", ["me", "history", "logout", "logout_all"])
def test_calls_about_a_stored_user_are_refused(server: LiveServer, call: str) -> None:
    refresh_jwt = anonymous_session(server)["refreshSessionToken"]["jwt"]  # type: ignore[index]
    client = server.client()
    with pytest.raises(AuthException) as refused:
        getattr(client, call)(refresh_jwt)
    assert (refused.value.status_code, error_code(refused.value)) == (403, "E064003")
    assert client.refresh_session(refresh_jwt)["sessionToken"]["danu"] is True  # logout revoked nothing


def test_tenant_selection_is_refused(server: LiveServer) -> None:
    refresh_jwt = anonymous_session(server)["refreshSessionToken"]["jwt"]  # type: ignore[index]
    assert refused_code(server.client().select_tenant, "T2any", refresh_jwt) == "E064003"
