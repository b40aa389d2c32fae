"""With ``hide_login_existence``, sign-in of an unknown login ID is indistinguishable."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from descope import DeliveryMethod

from tests.support import LiveServer, database_url, live_server, relaxed, unique_email

SAMPLES = 1000


@pytest.fixture
def hidden(tmp_path: Path) -> Iterator[LiveServer]:
    settings = relaxed(hide_login_existence=True)
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        yield live


def test_unknown_login_id_answers_like_a_known_one_and_gets_nothing(hidden: LiveServer) -> None:
    client = hidden.client()
    known, unknown = "known.user@example.com", "ghost.user@example.com"
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, known)
    client.otp.verify_code(DeliveryMethod.EMAIL, known, hidden.inbox.code_for(known))
    headers = {"Authorization": f"Bearer {hidden.project_id}"}
    answers = {
        login_id: httpx.post(f"{hidden.base_url}/v1/auth/otp/signin/email", json={"loginId": login_id}, headers=headers)
        for login_id in (known, unknown)
    }
    assert answers[known].status_code == answers[unknown].status_code == 200
    assert len(answers[known].content) == len(answers[unknown].content)
    assert answers[unknown].json() == {"maskedEmail": "g***@example.com"}
    time.sleep(0.3)
    assert hidden.inbox.count(unknown) == 0
    wrong = httpx.post(
        f"{hidden.base_url}/v1/auth/otp/verify/email", json={"loginId": unknown, "code": "123456"}, headers=headers
    )
    assert wrong.json()["errorCode"] == "E061102"  # like a wrong code for a real user


def test_timing_does_not_tell_known_from_unknown(hidden: LiveServer) -> None:
    client = hidden.client()
    known = unique_email("timing")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, known)
    client.otp.verify_code(DeliveryMethod.EMAIL, known, hidden.inbox.code_for(known))
    headers = {"Authorization": f"Bearer {hidden.project_id}"}
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    with httpx.Client(base_url=hidden.base_url, headers=headers) as http:
        for index in range(SAMPLES):
            for kind, login_id in (("known", known), ("unknown", f"nobody{index}@example.com")):
                started = time.perf_counter()
                response = http.post("/v1/auth/otp/signin/email", json={"loginId": login_id})
                durations[kind].append(time.perf_counter() - started)
                assert response.status_code == 200
    difference = abs(statistics.median(durations["known"]) - statistics.median(durations["unknown"]))
    assert difference < 0.005, f"median difference {difference * 1000:.2f} ms"


def test_off_by_default_unknown_sign_in_is_refused(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/auth/otp/signin/email",
        json={"loginId": unique_email("nobody")},
        headers={"Authorization": f"Bearer {server.project_id}"},
    )
    assert response.json()["errorCode"] == "E062108"
