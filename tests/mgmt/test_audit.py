"""The audit trail: every authentication event recorded, searchable, and free of secrets."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from descope import AuthException, DeliveryMethod

from tests.support import LiveServer, audit_search, database_url, live_server, passgate_cli, unique_email, unique_phone


def test_authentication_events_are_recorded_and_searchable(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("audited")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    with pytest.raises(AuthException):
        client.otp.verify_code(DeliveryMethod.EMAIL, login_id, "000000")
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    client.logout(refreshed["refreshSessionToken"]["jwt"])

    events = audit_search(server, loginIds=[login_id])
    actions = [(e["action"], e["data"]["outcome"]) for e in reversed(events)]
    assert actions == [
        ("auth_otp.sign_up_or_in", "success"),
        ("auth_otp.verify", "failure"),
        ("auth_otp.verify", "success"),
    ]
    failure = next(e for e in events if e["data"]["outcome"] == "failure")
    assert failure["data"]["errorCode"] == "E061102"
    assert failure["remoteAddress"] == "127.0.0.1"
    assert failure["device"].startswith("python-httpx")
    assert failure["externalIds"][0].endswith("@example.com")
    assert login_id not in json.dumps(events)  # the login ID is stored masked

    user_id = session["user"]["userId"]
    by_user = {e["action"] for e in audit_search(server, userIds=[user_id])}
    assert {"auth_otp.verify", "auth_session.refresh"} <= by_user
    assert audit_search(server, actions=["auth_session.logout"], limit=1)


def test_reuse_detection_is_audited(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    first = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    token = first["refreshSessionToken"]["jwt"]
    for _ in range(2):
        token = client.refresh_session(token)["refreshSessionToken"]["jwt"]
    with pytest.raises(AuthException):
        client.refresh_session(first["refreshSessionToken"]["jwt"])  # a grandparent: theft
    events = audit_search(server, actions=["session.reuse_detected"], userIds=[first["user"]["userId"]])
    assert len(events) == 1


def test_cli_audit_search(server: LiveServer) -> None:
    login_id = unique_email("cli")
    server.client().otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    out = passgate_cli(
        server.settings.data_dir,
        server.settings.resolved_database_url(),
        "audit",
        "search",
        "--project",
        server.project_id,
        "--login-id",
        login_id,
        "--json",
    ).stdout
    assert [event["action"] for event in json.loads(out)] == ["auth_otp.sign_up_or_in"]


def test_no_secret_reaches_any_log_or_audit_row(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Run the flows with canary values, then look for them everywhere but the delivery channel."""
    email, phone = "canary.f00d4b1d@example.com", unique_phone()
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path) as live:
        client = live.client(management=True)
        client.otp.sign_up(DeliveryMethod.EMAIL, email, {"phone": phone, "name": "Canary"})
        code = live.inbox.code_for(email)
        with pytest.raises(AuthException):
            client.otp.verify_code(DeliveryMethod.EMAIL, email, str((int(code) + 1) % 10**6).zfill(6))
        session = client.otp.verify_code(DeliveryMethod.EMAIL, email, code)
        refresh = session["refreshSessionToken"]["jwt"]
        client.otp.update_user_phone(DeliveryMethod.SMS, email, phone, refresh)
        phone_code = live.inbox.code_for(phone)
        client.otp.verify_code(DeliveryMethod.SMS, email, phone_code)
        rotated = client.refresh_session(refresh)["refreshSessionToken"]["jwt"]
        client.mgmt.user.create(unique_email(), phone=unique_phone())
        client.logout(rotated)
        audit_rows = json.dumps(audit_search(live, limit=1000))
    logs = capfd.readouterr()
    haystacks = {"server and client logs": logs.out + logs.err, "audit rows": audit_rows}
    canaries = {
        "email": email,
        "phone": phone,
        "code": code,
        "phone code": phone_code,
        "refresh JWT": refresh,
        "session JWT": session["sessionToken"]["jwt"],
        "management key": live.management_key,
    }
    for where, text in haystacks.items():
        for name, canary in canaries.items():
            if name.endswith("code"):
                assert not re.search(rf"(?<!\d){canary}(?!\d)", text), f"{name} found in {where}"
            else:
                assert canary not in text, f"{name} found in {where}"


def test_concurrent_events_are_all_recorded(server: LiveServer) -> None:
    """Events of simultaneous requests share transactions (group commit); none may be lost."""
    login_ids = [unique_email("burst") for _ in range(40)]

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/v1/auth/otp/verify/email",
                        json={"loginId": login_id, "code": "123456"},
                        headers={"Authorization": f"Bearer {server.project_id}"},
                    )
                    for login_id in login_ids
                )
            )
        return [answer.status_code for answer in answers]

    assert set(asyncio.run(burst())) == {401}  # no code is pending for any of them
    events = audit_search(server, loginIds=login_ids, limit=100)
    assert len(events) == 40
    assert {e["data"]["errorCode"] for e in events} == {"E061102"}


def test_audit_search_refuses_times_no_database_can_store(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/mgmt/audit/search",
        json={"to": 10**30},
        headers={"Authorization": f"Bearer {server.project_id}:{server.management_key}"},
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011003"
