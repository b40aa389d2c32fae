"""Passkeys end to end with the official ``descope`` SDK, the browser's part played by the
software authenticator of ``tests/authenticator.py``. (The same flows run in Chromium with
a virtual authenticator in ``tests/browser/test_passkeys.py``.)"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pyotp
import pytest
from descope import AuthException
from descope.common import LoginOptions

from tests.authenticator import Authenticator
from tests.support import (
    LiveServer,
    audit_search,
    error_code,
    mgmt_request,
    passgate_cli_in_process,
    signed_in,
    stored_rows,
    unique_email,
)

ORIGIN = "http://localhost:3000"  # an allowed origin of the test projects (their redirect URL's)


def auth_post(server: LiveServer, path: str, body: dict[str, Any], bearer: str = "") -> httpx.Response:
    token = f"{server.project_id}:{bearer}" if bearer else server.project_id
    return httpx.post(server.base_url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def signed_up(
    server: LiveServer, authenticator: Authenticator | None = None
) -> tuple[str, Authenticator, dict[str, Any]]:
    """A new user signed up with a passkey: its login ID, the authenticator, the JWT response."""
    client, login_id = server.client(), unique_email("passkey")
    authenticator = authenticator or Authenticator(ORIGIN)
    started = client.webauthn.sign_up_start(login_id, ORIGIN, {"name": "Ada"})
    answer = client.webauthn.sign_up_finish(started["transactionId"], authenticator.register(started["options"]))
    return login_id, authenticator, answer


def credentials(server: LiveServer, user_id: str) -> list[dict[str, Any]]:
    return stored_rows(server, "SELECT * FROM webauthn_credentials WHERE user_id = :u", {"u": user_id})


def users_named(server: LiveServer, login_id: str) -> list[dict[str, Any]]:
    return stored_rows(server, "SELECT user_id FROM login_ids WHERE login_id = :l", {"l": login_id})


def test_sign_up_then_sign_in(server: LiveServer) -> None:
    client = server.client()
    login_id, authenticator, answer = signed_up(server)
    options = json.loads(client.webauthn.sign_up_start(unique_email(), ORIGIN)["options"])["publicKey"]
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]

    assert answer["firstSeen"] is True
    assert answer["user"]["webauthn"] is True
    assert answer["user"]["name"] == "Ada"
    assert client.validate_session(answer["sessionToken"]["jwt"])["amr"] == ["webauthn"]

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    get = json.loads(started["options"])["publicKey"]
    assert [entry["id"] for entry in get["allowCredentials"]] == [authenticator.credentials[0].id_text]
    signed = client.webauthn.sign_in_finish(started["transactionId"], authenticator.sign(started["options"]))
    claims = client.validate_session(signed["sessionToken"]["jwt"])  # keys from /v2/keys
    assert claims["amr"] == ["webauthn"]
    assert claims["sub"] == answer["user"]["userId"]
    assert client.me(signed["refreshSessionToken"]["jwt"])["webauthn"] is True
    assert credentials(server, claims["sub"])[0]["sign_count"] == 1


def test_sign_up_or_in_creates_then_signs_in(server: LiveServer) -> None:
    client, login_id, authenticator = server.client(), unique_email("either"), Authenticator(ORIGIN)
    first = client.webauthn.sign_up_or_in_start(login_id, ORIGIN)
    assert first["create"] is True
    created = client.webauthn.sign_up_finish(first["transactionId"], authenticator.register(first["options"]))
    second = client.webauthn.sign_up_or_in_start(login_id, ORIGIN)
    assert second["create"] is False
    signed = client.webauthn.sign_in_finish(second["transactionId"], authenticator.sign(second["options"]))
    assert signed["user"]["userId"] == created["user"]["userId"]


def test_add_a_passkey_to_a_user_signed_in_by_code(server: LiveServer) -> None:
    client, authenticator = server.client(), Authenticator(ORIGIN)
    first = signed_in(server)
    login_id, refresh_jwt = first["user"]["loginIds"][0], first["refreshSessionToken"]["jwt"]

    started = client.webauthn.update_start(login_id, refresh_jwt, ORIGIN)
    assert client.webauthn.update_finish(started["transactionId"], authenticator.register(started["options"])) is None
    with_mfa = client.webauthn.update_start(login_id, refresh_jwt, ORIGIN, mfa=True)
    excluded = json.loads(with_mfa["options"])["publicKey"]["excludeCredentials"]
    assert [entry["id"] for entry in excluded] == [authenticator.credentials[0].id_text]
    second = Authenticator(ORIGIN)
    answer = client.webauthn.update_finish(with_mfa["transactionId"], second.register(with_mfa["options"]))
    assert answer is not None
    assert client.validate_session(answer["sessionToken"]["jwt"])["amr"] == ["email", "webauthn", "mfa"]

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    signed = client.webauthn.sign_in_finish(started["transactionId"], authenticator.sign(started["options"]))
    assert signed["user"]["webauthn"] is True
    stepped_start = client.webauthn.sign_in_start(login_id, ORIGIN, LoginOptions(stepup=True), refresh_jwt)
    stepped = client.webauthn.sign_in_finish(stepped_start["transactionId"], second.sign(stepped_start["options"]))
    assert stepped["sessionToken"]["su"] is True

    unsigned = auth_post(server, "/v1/auth/webauthn/update/start", {"loginId": login_id, "origin": ORIGIN})
    assert unsigned.status_code == 401


def test_usernameless_sign_in_finds_the_user_by_its_passkey(server: LiveServer) -> None:
    _, authenticator, answer = signed_up(server)
    started = auth_post(server, "/v1/auth/webauthn/signin/start", {"loginId": "", "origin": ORIGIN}).json()
    assert json.loads(started["options"])["publicKey"]["allowCredentials"] == []
    finished = auth_post(
        server,
        "/v1/auth/webauthn/signin/finish",
        {"transactionID": started["transactionId"], "response": json.loads(authenticator.sign(started["options"]))},
    )
    assert finished.status_code == 200, finished.text
    assert finished.json()["user"]["userId"] == answer["user"]["userId"]


def finish(server: LiveServer, kind: str, transaction_id: str, response: str) -> httpx.Response:
    return auth_post(
        server, f"/v1/auth/webauthn/{kind}/finish", {"transactionId": transaction_id, "response": response}
    )


def assert_refused(answer: httpx.Response, status: int = 401, code: str = "E067003") -> None:
    assert (answer.status_code, answer.json()["errorCode"]) == (status, code), answer.text


def test_forged_registrations_store_nothing(server: LiveServer) -> None:
    client = server.client()
    for forge in ({"origin": "http://localhost:4000"}, {"origin": "https://evil.example"}, {"rp_id": "example.com"}):
        login_id = unique_email("forged")
        started = client.webauthn.sign_up_start(login_id, ORIGIN)
        assert_refused(
            finish(
                server, "signup", started["transactionId"], Authenticator(ORIGIN).register(started["options"], **forge)
            )
        )
        assert users_named(server, login_id) == []
    login_id = unique_email("replayed")
    started = client.webauthn.sign_up_start(login_id, ORIGIN)
    response = Authenticator(ORIGIN).register(started["options"])
    assert finish(server, "signup", started["transactionId"], response).status_code == 200
    assert_refused(finish(server, "signup", started["transactionId"], response))  # a ceremony works once


def test_starts_from_pages_the_project_does_not_allow_are_refused(server: LiveServer) -> None:
    for origin in ("https://evil.example", "http://127.0.0.1:3000", "not an origin"):
        answer = auth_post(
            server, "/v1/auth/webauthn/signup/start", {"user": {"loginId": unique_email()}, "origin": origin}
        )
        assert_refused(answer, 400, "E011004")


def test_forged_assertions_are_refused_and_change_nothing(server: LiveServer) -> None:
    client = server.client()
    login_id, authenticator, answer = signed_up(server)
    user_id = answer["user"]["userId"]
    forgeries: list[dict[str, Any]] = [
        {"origin": "http://localhost:4000"},
        {"rp_id": "example.com"},
        {"challenge": "AAAA"},
        {"tamper": True},
    ]
    for forge in forgeries:
        started = client.webauthn.sign_in_start(login_id, ORIGIN)
        before = authenticator.credentials[0].sign_count
        assert_refused(
            finish(server, "signin", started["transactionId"], authenticator.sign(started["options"], **forge))
        )
        authenticator.credentials[0].sign_count = before
        assert credentials(server, user_id)[0]["sign_count"] == before


def test_a_replayed_or_expired_assertion_is_refused(server: LiveServer) -> None:
    client = server.client()
    login_id, authenticator, _ = signed_up(server)
    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    response = authenticator.sign(started["options"])
    assert finish(server, "signin", started["transactionId"], response).status_code == 200
    assert_refused(finish(server, "signin", started["transactionId"], response))

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    server.clock.advance(301)  # past the 5 minute ceremony
    try:
        assert_refused(finish(server, "signin", started["transactionId"], authenticator.sign(started["options"])))
    finally:
        server.clock.advance(-301)
    assert_refused(finish(server, "signin", "no-such-transaction", authenticator.sign(started["options"])))
    sign_up = client.webauthn.sign_up_start(unique_email(), ORIGIN)  # a ceremony of another kind
    assert_refused(finish(server, "signin", sign_up["transactionId"], authenticator.sign(started["options"])))


def test_a_rewound_sign_count_is_refused_and_audited_as_a_clone(server: LiveServer) -> None:
    client = server.client()
    login_id, authenticator, answer = signed_up(server)
    for _ in range(2):
        started = client.webauthn.sign_in_start(login_id, ORIGIN)
        client.webauthn.sign_in_finish(started["transactionId"], authenticator.sign(started["options"]))
    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    rewound = authenticator.sign(started["options"], sign_count=1)
    assert_refused(finish(server, "signin", started["transactionId"], rewound), code="E067004")
    assert credentials(server, answer["user"]["userId"])[0]["sign_count"] == 2
    clones = audit_search(server, actions=["auth_webauthn.cloned_authenticator"], userIds=[answer["user"]["userId"]])
    assert len(clones) == 1


def test_another_users_passkey_is_refused(server: LiveServer) -> None:
    client = server.client()
    alice, _, _ = signed_up(server)
    _, mallory_key, _ = signed_up(server)
    started = client.webauthn.sign_in_start(alice, ORIGIN)
    mallorys = mallory_key.credentials[0]
    assert_refused(finish(server, "signin", started["transactionId"], mallory_key.sign(started["options"], mallorys)))


def test_malformed_answers_and_users_without_passkeys_are_client_errors(server: LiveServer) -> None:
    client = server.client()
    login_id, _, _ = signed_up(server)
    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    for response in ("{", '{"id": "x"}', "[]"):
        assert_refused(finish(server, "signin", started["transactionId"], response), 400, "E011004")
    no_passkeys = signed_in(server)["user"]["loginIds"][0]
    with pytest.raises(AuthException) as refused:
        client.webauthn.sign_in_start(no_passkeys, ORIGIN)
    assert error_code(refused.value) == "E067010"


def test_management_lists_and_removes_passkeys(server: LiveServer) -> None:
    mgmt = server.client(management=True)
    login_id, authenticator, answer = signed_up(server)
    refresh_jwt = answer["refreshSessionToken"]["jwt"]
    second = server.client().webauthn.update_start(login_id, refresh_jwt, ORIGIN)
    server.client().webauthn.update_finish(second["transactionId"], authenticator.register(second["options"]))

    listed = mgmt.mgmt.user.list_passkeys(login_id)["passkeys"]
    assert sorted(entry["id"] for entry in listed) == sorted(c.id_text for c in authenticator.credentials)
    assert all(isinstance(entry["createdTime"], int) and entry["rpId"] == "localhost" for entry in listed)

    removed = mgmt_request(
        server, "POST", "/v1/mgmt/user/passkey/delete", {"loginId": login_id, "credentialId": listed[0]["id"]}
    )
    assert removed.status_code == 200
    assert mgmt.mgmt.user.load(login_id)["user"]["webauthn"] is True  # one is left
    mgmt.mgmt.user.remove_all_passkeys(login_id)
    assert mgmt.mgmt.user.load(login_id)["user"]["webauthn"] is False
    assert mgmt.mgmt.user.list_passkeys(login_id)["passkeys"] == []
    with pytest.raises(AuthException) as refused:
        server.client().webauthn.sign_in_start(login_id, ORIGIN)
    assert error_code(refused.value) == "E067010"


def operator(server: LiveServer, *args: str) -> Any:
    """``passgate user ARGS --project P --json`` against the server's database; its JSON."""
    out = passgate_cli_in_process(
        server.settings.data_dir,
        server.settings.resolved_database_url(),
        "user",
        *args,
        "--project",
        server.project_id,
        "--json",
    ).stdout
    return json.loads(out)


def test_the_operator_lists_and_removes_passkeys_and_resets_the_app(server: LiveServer) -> None:
    mgmt = server.client(management=True)
    login_id, authenticator, answer = signed_up(server)
    key = server.client().totp.update_user(login_id, answer["refreshSessionToken"]["jwt"])["key"]
    assert server.client().totp.sign_in_code(login_id, pyotp.TOTP(key).now())["user"]["TOTP"] is True

    listed = operator(server, "passkeys", login_id)
    assert [row["id"] for row in listed] == [authenticator.credentials[0].id_text]
    assert operator(server, "passkeys", login_id, "--delete-all") == {
        "userId": answer["user"]["userId"],
        "webauthn": False,
    }
    assert operator(server, "passkeys", login_id) == []
    assert operator(server, "totp-reset", login_id)["TOTP"] is False
    assert mgmt.mgmt.user.load(login_id)["user"]["TOTP"] is False
    actions = {event["action"] for event in audit_search(server, userIds=[answer["user"]["userId"]])}
    assert {"cli.user.remove_passkeys", "cli.user.totp_reset"} <= actions
