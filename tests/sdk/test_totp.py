"""Authenticator apps (TOTP) end to end with the official ``descope`` SDK; the codes come
from pyotp, as from the app on a phone."""

from __future__ import annotations

import base64
import concurrent.futures
import io
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import httpx
import pyotp
import pytest
import zxingcpp
from descope import AuthException, DeliveryMethod, UserObj
from descope.common import LoginOptions
from PIL import Image

from tests.support import (
    LiveServer,
    another_project,
    error_code,
    mgmt_request,
    relaxed,
    signed_in,
    stored_rows,
    unique_email,
)


def steady() -> None:
    """Wait out the last second of a 30 s step, so a code computed now is still of that
    step when the server reads it."""
    if time.time() % 30 > 28.5:  # noqa: TID251 - the test's own wall clock, as the phone's
        time.sleep(1.6)


def code_of(key: str, steps_ago: int = 0) -> str:
    return pyotp.TOTP(key).at(time.time() - 30 * steps_ago)  # noqa: TID251


def verify(server: LiveServer, login_id: str, code: str, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/auth/totp/verify",
        json={"loginId": login_id, "code": code, **body},
        headers={"Authorization": f"Bearer {server.project_id}"},
        timeout=30,
    )


def enrolled(server: LiveServer) -> tuple[str, str]:
    """A new user signed up with an app; its login ID and the app's key."""
    login_id = unique_email("totp")
    return login_id, server.client().totp.sign_up(login_id, {"name": "Grace"})["key"]


def test_sign_up_then_sign_in_with_the_apps_code(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("totp")
    enrolment = client.totp.sign_up(login_id, {"name": "Grace Hopper"})

    url = urlparse(enrolment["provisioningURL"])
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    assert parse_qs(url.query)["secret"] == [enrolment["key"]]
    assert unquote(url.path) == f"/test:{login_id}"  # issuer (the project's name): account
    assert len(base64.b32decode(enrolment["key"])) == 20  # 160 bits
    image = Image.open(io.BytesIO(base64.b64decode(enrolment["image"])))
    assert image.format == "PNG"
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [enrolment["provisioningURL"]]

    steady()
    answer = client.totp.sign_in_code(login_id, code_of(enrolment["key"]))
    claims = client.validate_session(answer["sessionToken"]["jwt"])  # keys from /v2/keys
    assert claims["amr"] == ["totp"]
    assert answer["user"]["TOTP"] is True
    assert answer["user"]["name"] == "Grace Hopper"
    assert client.me(answer["refreshSessionToken"]["jwt"])["TOTP"] is True


def test_a_code_works_once(server: LiveServer) -> None:
    login_id, key = enrolled(server)
    steady()
    code = code_of(key)
    assert verify(server, login_id, code).status_code == 200
    replayed = verify(server, login_id, code)
    assert (replayed.status_code, replayed.json()["errorCode"]) == (401, "E061102")


def test_one_step_of_drift_is_accepted_two_are_not(server: LiveServer) -> None:
    login_id, key = enrolled(server)
    steady()
    old = verify(server, login_id, code_of(key, steps_ago=2))
    assert (old.status_code, old.json()["errorCode"]) == (401, "E061102")
    assert verify(server, login_id, code_of(key, steps_ago=1)).status_code == 200
    # An earlier step than one already accepted is refused: it would be a replay of its code.
    assert verify(server, login_id, code_of(key, steps_ago=1)).status_code == 401
    assert verify(server, login_id, code_of(key)).status_code == 200


def test_the_server_clock_decides_the_step(server: LiveServer) -> None:
    login_id, key = enrolled(server)
    steady()
    server.clock.advance(90)
    try:
        assert verify(server, login_id, code_of(key)).status_code == 401
        assert verify(server, login_id, pyotp.TOTP(key).at(time.time() + 90)).status_code == 200  # noqa: TID251
    finally:
        server.clock.advance(-90)


def test_parallel_wrong_guesses_cannot_exceed_the_failure_budget(server: LiveServer) -> None:
    strict = another_project(server, relaxed(max_failed_verifications=3))
    login_id, key = enrolled(strict)

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda n: verify(strict, login_id, f"{(n * 7919) % 1000000:06d}"), range(12)))
    codes = [answer.json()["errorCode"] for answer in answers]
    assert codes.count("E061102") <= 3
    assert set(codes) <= {"E061102", "E061103"}
    steady()
    locked = verify(strict, login_id, code_of(key))  # the budget is spent: even the right code waits
    assert (locked.status_code, locked.json()["errorCode"]) == (401, "E061103")


def test_unknown_users_and_wrong_codes_answer_alike_when_existence_is_hidden(server: LiveServer) -> None:
    hidden = another_project(server, relaxed(hide_login_existence=True))
    login_id, _ = enrolled(hidden)
    wrong = verify(hidden, login_id, "000000")
    unknown = verify(hidden, unique_email("nobody"), "000000")
    without_app = signed_in(hidden)["user"]["loginIds"][0]
    no_app = verify(hidden, without_app, "000000")
    for answer in (unknown, no_app):
        assert answer.status_code == wrong.status_code == 401
        assert answer.json()["errorCode"] == wrong.json()["errorCode"] == "E061102"


def test_mfa_and_step_up_with_the_app_as_second_factor(server: LiveServer) -> None:
    client = server.client()
    first = signed_in(server)
    login_id, refresh_jwt = first["user"]["loginIds"][0], first["refreshSessionToken"]["jwt"]
    key = client.totp.update_user(login_id, refresh_jwt)["key"]

    steady()
    # The previous step's code, then the current one's: each step's code works once.
    mfa = client.totp.sign_in_code(login_id, code_of(key, steps_ago=1), LoginOptions(mfa=True), refresh_jwt)
    assert client.validate_session(mfa["sessionToken"]["jwt"])["amr"] == ["email", "totp", "mfa"]
    stepped = client.totp.sign_in_code(login_id, code_of(key), LoginOptions(stepup=True), refresh_jwt)
    assert stepped["sessionToken"]["su"] is True

    with pytest.raises(AuthException) as refused:
        client.totp.sign_in_code(login_id, code_of(key), LoginOptions(mfa=True), "not.a.jwt")
    assert refused.value.status_code == 401


def test_a_new_app_replaces_the_old_one_only_once_it_has_given_a_code(server: LiveServer) -> None:
    client = server.client()
    login_id, old_key = enrolled(server)
    steady()
    signed = client.totp.sign_in_code(login_id, code_of(old_key))
    new_key = client.totp.update_user(login_id, signed["refreshSessionToken"]["jwt"])["key"]
    assert new_key != old_key

    server.clock.advance(30)
    try:
        later = time.time() + 30  # noqa: TID251
        assert verify(server, login_id, pyotp.TOTP(old_key).at(later)).status_code == 200  # still the app in use
        server.clock.advance(30)
        assert verify(server, login_id, pyotp.TOTP(new_key).at(later + 30)).status_code == 200  # confirms the new
        server.clock.advance(30)
        assert verify(server, login_id, pyotp.TOTP(old_key).at(later + 60)).status_code == 401  # the old is gone
    finally:
        server.clock.advance(-90)


def test_update_needs_the_signed_in_users_refresh_jwt(server: LiveServer) -> None:
    login_id, _ = enrolled(server)
    other = signed_in(server)
    unsigned = httpx.post(
        f"{server.base_url}/v1/auth/totp/update",
        json={"loginId": login_id},
        headers={"Authorization": f"Bearer {server.project_id}"},
        timeout=30,
    )
    assert unsigned.status_code == 401
    with pytest.raises(AuthException) as refused:
        server.client().totp.update_user(login_id, other["refreshSessionToken"]["jwt"])
    assert refused.value.status_code == 401


def test_sign_up_of_a_taken_login_id_is_refused(server: LiveServer) -> None:
    login_id, _ = enrolled(server)
    with pytest.raises(AuthException) as refused:
        server.client().totp.sign_up(login_id)
    assert error_code(refused.value) == "E062107"


def test_management_removes_the_app(server: LiveServer) -> None:
    mgmt = server.client(management=True)
    login_id, key = enrolled(server)
    steady()
    assert verify(server, login_id, code_of(key)).status_code == 200
    mgmt.mgmt.user.remove_totp_seed(login_id)
    assert mgmt.mgmt.user.load(login_id)["user"]["TOTP"] is False
    server.clock.advance(30)
    try:
        assert verify(server, login_id, pyotp.TOTP(key).at(time.time() + 30)).status_code == 401  # noqa: TID251
    finally:
        server.clock.advance(-30)
    missing = mgmt_request(server, "POST", "/v1/mgmt/user/totp/delete", {"loginId": unique_email("nobody")})
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "E112102")


def test_recovery_codes_delete_names_the_user_by_login_id_or_user_id(server: LiveServer) -> None:
    mgmt = server.client(management=True)
    user = signed_in(server)["user"]
    mgmt.mgmt.user.remove_recovery_codes(user["loginIds"][0])
    mgmt.mgmt.user.remove_recovery_codes(user["userId"])
    missing = mgmt_request(server, "POST", "/v1/mgmt/user/recovery-codes/delete", {"loginId": "U2nobody"})
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "E112102")


def test_batch_create_imports_an_app_by_its_seed(server: LiveServer) -> None:
    mgmt = server.client(management=True)
    seed, login_id = pyotp.random_base32(), unique_email("seeded")
    result = mgmt.mgmt.user.invite_batch(
        [UserObj(login_id=login_id, email=login_id, seed=seed), UserObj(login_id=unique_email(), seed="not base32!")],
        send_mail=False,
        send_sms=False,
    )
    assert [user["loginIds"] for user in result["createdUsers"]] == [[login_id]]
    assert result["createdUsers"][0]["TOTP"] is True
    assert "seed" in result["failedUsers"][0]["failure"]
    steady()
    answer = server.client().totp.sign_in_code(login_id, code_of(seed))
    assert answer["user"]["userId"] == result["createdUsers"][0]["userId"]


def test_the_secret_is_sealed_at_rest(server: LiveServer) -> None:
    login_id, key = enrolled(server)
    steady()
    assert verify(server, login_id, code_of(key)).status_code == 200
    rows = stored_rows(server, "SELECT * FROM totp_secrets WHERE project_id = :p", {"p": server.project_id})
    assert rows
    assert not any(key in str(value) for row in rows for value in row.values())


def test_sign_in_by_code_then_app_as_mfa_keeps_the_delivery_factor(server: LiveServer) -> None:
    """The OTP sign-in's own MFA path, for comparison: an app then an email code."""
    client = server.client()
    login_id, key = enrolled(server)
    steady()
    by_app = client.totp.sign_in_code(login_id, code_of(key))
    mgmt = server.client(management=True)
    mgmt.mgmt.user.update(login_id, email=login_id, verified_email=True)
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(mfa=True), by_app["refreshSessionToken"]["jwt"])
    both = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    assert both["sessionToken"]["amr"] == ["totp", "email", "mfa"]
