"""SMS pumping protection: country allow-list, number-range velocity, daily budget."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support import LiveServer, database_url, limited, live_server, relaxed


def _start(live: LiveServer, number: str, method: str = "sms") -> httpx.Response:
    return httpx.post(
        f"{live.base_url}/v1/auth/otp/signup-in/{method}",
        json={"loginId": number},
        headers={"Authorization": f"Bearer {live.project_id}"},
    )


def test_numbers_outside_the_allowed_countries_are_refused_before_sending(tmp_path: Path) -> None:
    settings = relaxed(phone_countries=("GB", "DE"))
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        for method in ("sms", "voice", "whatsapp"):
            refused = _start(live, "+14155550123", method)
            assert refused.status_code == 400
            assert "country" in refused.json()["errorMessage"]
        accepted = _start(live, "+442071838750")
        assert accepted.status_code == 200
        time.sleep(0.3)
        assert live.inbox.count("+14155550123") == 0
        assert live.inbox.count("+442071838750") == 1


def test_sends_to_one_number_range_are_capped(tmp_path: Path) -> None:
    settings = limited(phone_sends_per_prefix="3/hour")
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        answers = [_start(live, f"+1415289{suffix:04d}").status_code for suffix in (1111, 2222, 3333, 4444)]
        other_range = _start(live, "+14153330000").status_code
    assert answers == [200, 200, 200, 429]
    assert other_range == 200


def test_daily_phone_budget_stops_sending_and_raises_an_alert(tmp_path: Path) -> None:
    settings = limited(phone_sends_per_project="2/day")
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        answers = [_start(live, number).status_code for number in ("+14152001111", "+14153002222", "+14154003333")]
        email = httpx.post(
            f"{live.base_url}/v1/auth/otp/signup-in/email",
            json={"loginId": "budget@example.com"},
            headers={"Authorization": f"Bearer {live.project_id}"},
        )
        metrics = httpx.get(f"{live.base_url}/metrics").text
        time.sleep(0.3)
        delivered = live.inbox.count("+14154003333")
    assert answers == [200, 200, 429]
    assert email.status_code == 200  # the budget is for phone messages only
    assert delivered == 0
    assert f'passgate_phone_budget_exhausted_total{{project="{live.project_id}"}} 1.0' in metrics
