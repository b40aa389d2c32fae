"""Rate limits: 429 + E130429 + Retry-After, per login ID, IP, key and project; shared through Redis."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import DeliveryMethod, RateLimitException

from passgate.models.projects import RateLimitSettings
from tests.support import (
    LiveServer,
    database_url,
    limited,
    live_server,
    passgate_cli,
    require_redis,
    server_process,
    signed_in,
    unique_email,
)


def _post(live: LiveServer, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    bearer = {"Authorization": f"Bearer {live.project_id}", **(headers or {})}
    return httpx.post(live.base_url + path, json=body, headers=bearer)


def test_second_send_within_30_seconds_is_refused_with_retry_after(strict: LiveServer) -> None:
    client = strict.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    code = strict.inbox.code_for(login_id)
    with pytest.raises(RateLimitException) as limited:
        client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    assert str(limited.value.status_code) == "E130429"  # the SDK puts the body's errorCode there (typed int)
    retry_after = limited.value.rate_limit_parameters["Retry-After"]
    assert 1 <= retry_after <= 30
    time.sleep(0.3)
    assert strict.inbox.count(login_id) == 1  # nothing more was sent ...
    assert client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)["firstSeen"]  # ... nor the first code voided


def test_a_new_email_right_after_sign_up_is_sent_but_not_twice_in_30_seconds(strict: LiveServer) -> None:
    client = strict.client()
    login_id, new_email = unique_email("old"), unique_email("new")
    refresh = signed_in(strict, login_id)["refreshSessionToken"]["jwt"]  # a code to the old address
    client.otp.update_user_email(login_id, new_email, refresh)  # seconds later, a code to the new one
    assert strict.inbox.code_for(new_email)
    with pytest.raises(RateLimitException):  # the new address has its own 30 s gap
        client.otp.update_user_email(login_id, new_email, refresh)


def test_one_login_id_cannot_spray_codes_at_many_addresses(strict: LiveServer) -> None:
    client = strict.client()
    login_id = unique_email("spray")
    refresh = signed_in(strict, login_id)["refreshSessionToken"]["jwt"]  # 1 of the 10 an hour
    targets = [unique_email(f"target{i}") for i in range(10)]
    for target in targets[:9]:
        client.otp.update_user_email(login_id, target, refresh)
    with pytest.raises(RateLimitException) as capped:
        client.otp.update_user_email(login_id, targets[9], refresh)
    assert capped.value.rate_limit_parameters["Retry-After"] > 30  # the hourly cap, not an address's gap
    # each update's code replaces the one before it (an unsent older one is dropped): the
    # last accepted address gets its code, the refused one gets nothing
    strict.inbox.wait_for(targets[8])
    assert strict.inbox.count(targets[9]) == 0


def test_settings_stored_under_the_old_name_keep_limiting_each_address() -> None:
    stored = {"sends_per_login_id": "2/minute", "sends_per_project": "9/minute"}  # as 0.x stored them
    settings = RateLimitSettings.model_validate(stored)
    assert (settings.sends_per_address, settings.sends_per_login_id_cap) == ("2/minute", "10/hour;20/day")
    assert "sends_per_login_id" not in settings.model_dump()  # written back under the new name


def test_verify_attempts_per_login_id_are_limited(strict: LiveServer) -> None:
    client = strict.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    answers = [
        _post(strict, "/v1/auth/otp/verify/email", {"loginId": login_id, "code": "000000"}).status_code
        for _ in range(11)
    ]
    assert answers[:10].count(429) == 0
    assert answers[10] == 429


def test_requests_per_ip_and_spoofed_forwarded_for(tmp_path: Path) -> None:
    limits = limited(requests_per_ip="3/minute")
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=limits) as live,
    ):
        answers = [
            _post(live, "/v1/auth/otp/signin/email", {"loginId": "x@y.co"}, {"X-Forwarded-For": f"10.0.0.{i}"})
            for i in range(4)
        ]
    assert [r.status_code for r in answers[:3]] == [400, 400, 400]  # unknown user, but counted
    assert answers[3].status_code == 429  # a forged X-Forwarded-For from an untrusted peer changes nothing
    assert answers[3].json()["errorCode"] == "E130429"
    assert int(answers[3].headers["Retry-After"]) >= 1


def test_trusted_proxy_forwarded_for_is_believed(tmp_path: Path) -> None:
    limits = limited(requests_per_ip="3/minute")
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=limits, trusted_proxies=("127.0.0.1",)) as live,
    ):
        answers = [
            _post(live, "/v1/auth/otp/signin/email", {"loginId": "x@y.co"}, {"X-Forwarded-For": f"198.51.100.{i}"})
            for i in range(6)
        ]
    assert all(r.status_code == 400 for r in answers)  # six different clients behind the proxy


def test_management_calls_per_key(tmp_path: Path) -> None:
    limits = limited(management_per_key="3/minute")
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=limits) as live,
    ):
        bearer = {"Authorization": f"Bearer {live.project_id}:{live.management_key}"}
        answers = [
            httpx.get(f"{live.base_url}/v1/mgmt/user", params={"loginId": "nobody@x.co"}, headers=bearer).status_code
            for _ in range(4)
        ]
    assert answers == [404, 404, 404, 429]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_processes_sharing_redis_enforce_one_limit(backend: str, tmp_path: Path) -> None:
    redis_url = require_redis()
    env = {"PASSGATE_REDIS_URL": redis_url, "PASSGATE_REDIS_PREFIX": f"passgate-test-{secrets.token_hex(4)}"}
    with database_url(backend, tmp_path) as url:
        created = json.loads(passgate_cli(tmp_path, url, "project", "create", "--name", "shared", "--json").stdout)
        headers = {"Authorization": f"Bearer {created['projectId']}"}
        with (
            server_process(url, tmp_path, env=env) as (first, _),
            server_process(url, tmp_path, env=env) as (second, _),
        ):
            login_id = unique_email()
            body = {"loginId": login_id}
            one = httpx.post(f"{first}/v1/auth/otp/signup-in/email", json=body, headers=headers)
            two = httpx.post(f"{second}/v1/auth/otp/signup-in/email", json=body, headers=headers)
    assert one.status_code == 200
    assert two.status_code == 429  # the other process saw the first send through Redis
    assert two.json()["errorCode"] == "E130429"


def test_verifies_per_ip_are_limited(tmp_path: Path) -> None:
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=limited(verifies_per_ip="3/minute")) as live,
    ):
        answers = [
            _post(live, "/v1/auth/otp/verify/email", {"loginId": f"user{i}@example.com", "code": "123456"}).status_code
            for i in range(4)
        ]
        link = _post(live, "/v1/auth/magiclink/verify", {"token": "x" * 43}).status_code
    assert answers == [401, 401, 401, 429]  # different login IDs, one client
    assert link == 429  # link verification shares the per-IP budget


def test_sends_per_project_are_limited(tmp_path: Path) -> None:
    with (
        database_url("sqlite", tmp_path) as url,
        live_server(url, tmp_path, project_settings=limited(sends_per_project="2/minute")) as live,
    ):
        answers = [
            _post(live, "/v1/auth/otp/signup-in/email", {"loginId": unique_email()}).status_code for _ in range(3)
        ]
    assert answers == [200, 200, 429]
