"""End to end with the official ``descope`` SDK as the client (the acceptance test)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from descope import AuthException, DeliveryMethod
from descope.common import LoginOptions

from tests.support import LiveServer, database_url, error_code, live_server, relaxed, unique_email, unique_phone

METHODS = {
    "email": DeliveryMethod.EMAIL,
    "sms": DeliveryMethod.SMS,
    "voice": DeliveryMethod.VOICE,
    "whatsapp": DeliveryMethod.WHATSAPP,
}


def address_for(method: str) -> str:
    return unique_email() if method == "email" else unique_phone()


@pytest.mark.parametrize("method", list(METHODS))
def test_sign_up_verify_refresh_me_logout(server: LiveServer, method: str) -> None:
    client = server.client()
    login_id = address_for(method)

    masked = client.otp.sign_up(METHODS[method], login_id, {"name": "Ada Lovelace"})
    assert login_id[-4:] in masked
    assert "*" in masked
    message = server.inbox.wait_for(login_id)
    assert message["channel"] == method
    code = server.inbox.code_for(login_id)

    jwt_response = client.otp.verify_code(METHODS[method], login_id, code)
    assert jwt_response["firstSeen"] is True
    assert jwt_response["user"]["loginIds"] == [login_id]
    assert jwt_response["user"]["name"] == "Ada Lovelace"
    verified_field = "verifiedEmail" if method == "email" else "verifiedPhone"
    assert jwt_response["user"][verified_field] is True
    session_jwt = jwt_response["sessionToken"]["jwt"]
    refresh_jwt = jwt_response["refreshSessionToken"]["jwt"]

    claims = client.validate_session(session_jwt)  # keys fetched from /v2/keys/<projectId>
    user_id = jwt_response["user"]["userId"]
    assert claims["userId"] == user_id
    assert claims["projectId"] == server.project_id
    assert claims["drn"] == "DS"
    assert claims["amr"] == ["sms" if method == "voice" else method]

    refreshed = client.refresh_session(refresh_jwt)
    assert refreshed["sessionToken"]["drn"] == "DS"
    assert client.validate_session(refreshed["sessionToken"]["jwt"])["userId"] == user_id

    me = client.me(refresh_jwt)
    assert me["userId"] == user_id
    assert me["loginIds"] == [login_id]

    history = client.history(refresh_jwt)
    assert isinstance(history, list)
    assert history[0]["userId"] == user_id

    client.logout(refresh_jwt)
    with pytest.raises(AuthException) as refused:
        client.refresh_session(refresh_jwt)
    assert refused.value.status_code == 401
    assert error_code(refused.value) == "E064001"


@pytest.mark.parametrize("method", ["email", "sms"])
def test_sign_in_existing_user(server: LiveServer, method: str) -> None:
    client = server.client()
    login_id = address_for(method)
    client.otp.sign_up(METHODS[method], login_id, None)
    first = client.otp.verify_code(METHODS[method], login_id, server.inbox.code_for(login_id))

    client.otp.sign_in(METHODS[method], login_id)
    second = client.otp.verify_code(METHODS[method], login_id, server.inbox.code_for(login_id, after=1))
    assert second["firstSeen"] is False
    assert second["user"]["userId"] == first["user"]["userId"]


def test_sign_in_unknown_user_is_refused(server: LiveServer) -> None:
    with pytest.raises(AuthException) as refused:
        server.client().otp.sign_in(DeliveryMethod.EMAIL, unique_email("nobody"))
    assert refused.value.status_code == 400
    assert error_code(refused.value) == "E062108"


def test_sign_up_existing_user_is_refused(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id, None)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    with pytest.raises(AuthException) as refused:
        client.otp.sign_up(DeliveryMethod.EMAIL, login_id, None)
    assert error_code(refused.value) == "E062107"


@pytest.mark.parametrize("method", list(METHODS))
def test_sign_up_or_in_creates_then_signs_in(server: LiveServer, method: str) -> None:
    client = server.client()
    login_id = address_for(method)
    client.otp.sign_up_or_in(METHODS[method], login_id)
    created = client.otp.verify_code(METHODS[method], login_id, server.inbox.code_for(login_id))
    assert created["firstSeen"] is True

    client.otp.sign_up_or_in(METHODS[method], login_id)
    again = client.otp.verify_code(METHODS[method], login_id, server.inbox.code_for(login_id, after=1))
    assert again["firstSeen"] is False
    assert again["user"]["userId"] == created["user"]["userId"]


def test_wrong_code_then_burned_after_five(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    code = server.inbox.code_for(login_id)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    for _ in range(5):
        with pytest.raises(AuthException) as refused:
            client.otp.verify_code(DeliveryMethod.EMAIL, login_id, wrong)
        assert error_code(refused.value) == "E061102"
    with pytest.raises(AuthException) as burned:
        client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)  # even the right code
    assert error_code(burned.value) == "E061103"


def test_code_is_single_use_and_new_code_replaces_old(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    old = server.inbox.code_for(login_id)
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    new = server.inbox.code_for(login_id, after=1)
    if old != new:
        with pytest.raises(AuthException) as stale:
            client.otp.verify_code(DeliveryMethod.EMAIL, login_id, old)
        assert error_code(stale.value) == "E061102"
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, new)
    with pytest.raises(AuthException) as reused:
        client.otp.verify_code(DeliveryMethod.EMAIL, login_id, new)
    assert error_code(reused.value) == "E061102"


def test_expired_code_is_refused(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    code = server.inbox.code_for(login_id)
    server.clock.advance(301)  # default expiry is 300 s
    try:
        with pytest.raises(AuthException) as expired:
            client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
    finally:
        server.clock.advance(-301)
    assert error_code(expired.value) == "E061102"
    assert "expired" in json.loads(expired.value.error_message or "")["errorMessage"]


def test_custom_claims_go_to_nsec_and_survive_refresh(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(custom_claims={"plan": "pro"}))
    signed_in = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id, after=1))
    assert signed_in["sessionToken"]["nsec"] == {"plan": "pro"}
    refreshed = client.refresh_session(signed_in["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["nsec"] == {"plan": "pro"}


def test_failures_count_across_resends_with_growing_backoff(server: LiveServer) -> None:
    """New codes never reset the login ID's failures: after five, waits grow from 30 s to
    15 min, and after 20 in a day even the right code is refused, until the day has passed."""
    login_id = unique_email("brute")
    headers = {"Authorization": f"Bearer {server.project_id}"}
    sends, failures, waits, advanced = 0, 0, [], 0.0

    def fresh_code() -> str:
        nonlocal sends
        httpx.post(f"{server.base_url}/v1/auth/otp/signup-in/email", json={"loginId": login_id}, headers=headers)
        sends += 1
        return server.inbox.code_for(login_id, after=sends - 1)

    def verify(code: str) -> httpx.Response:
        body = {"loginId": login_id, "code": code}
        return httpx.post(f"{server.base_url}/v1/auth/otp/verify/email", json=body, headers=headers)

    try:
        while failures < 20:
            answer = verify(str((int(fresh_code()) + 1) % 1_000_000).zfill(6))
            if answer.status_code == 429:
                waits.append(int(answer.headers["Retry-After"]))
                server.clock.advance(waits[-1])
                advanced += waits[-1]
                continue
            assert answer.json()["errorCode"] == "E061102"
            failures += 1
        locked = verify(fresh_code())
        server.clock.advance(24 * 3600)
        advanced += 24 * 3600
        unlocked = verify(fresh_code())
    finally:
        server.clock.advance(-advanced)
    assert waits == [30, 60, 120, 240, 480] + [900] * 10
    assert locked.json()["errorCode"] == "E061103"
    assert unlocked.status_code == 200  # no permanent lock-out


def test_step_up_and_mfa_build_on_the_current_session(server: LiveServer) -> None:
    client = server.client()
    login_id, phone = unique_email("mfa"), unique_phone()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id, {"phone": phone})
    first = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    refresh_jwt = first["refreshSessionToken"]["jwt"]

    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(stepup=True), refresh_jwt)
    stepped = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id, after=1))
    assert stepped["sessionToken"]["su"] is True
    refreshed = client.refresh_session(stepped["refreshSessionToken"]["jwt"])
    assert "su" not in refreshed["sessionToken"]  # step-up does not outlive its first session JWT

    client.otp.sign_in(DeliveryMethod.SMS, login_id, LoginOptions(mfa=True), refresh_jwt)
    second_factor = client.otp.verify_code(DeliveryMethod.SMS, login_id, server.inbox.code_for(phone))
    assert second_factor["sessionToken"]["amr"] == ["email", "sms", "mfa"]


def test_step_up_without_a_valid_refresh_token_is_refused(server: LiveServer) -> None:
    login_id = unique_email()
    client = server.client()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    with pytest.raises(AuthException) as refused:
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(stepup=True), "not.a.jwt")
    assert refused.value.status_code == 401


def test_revoke_other_sessions(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    old = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(revoke_other_sessions=True))
    new = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id, after=1))
    with pytest.raises(AuthException):
        client.refresh_session(old["refreshSessionToken"]["jwt"])
    client.refresh_session(new["refreshSessionToken"]["jwt"])


def test_code_length_follows_the_project_setting(tmp_path: Path) -> None:
    settings = relaxed(otp_length=8)
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        client = live.client()
        login_id = unique_email()
        client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        code = live.inbox.code_for(login_id)
        assert len(code) == 8
        assert client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)["firstSeen"] is True
