"""An application's own audit events (``client.mgmt.audit.create_event``), found by the audit search."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, audit_search, mgmt_request, refused_code, tag


def test_an_applications_event_is_stored_and_found_by_the_search(server: LiveServer) -> None:
    client = server.client(management=True)
    action = tag("invoice.paid")
    client.mgmt.audit.create_event(
        action, "info", "billing-service", "T2acme", user_id="U2payer", data={"amount": 42, "currency": "EUR"}
    )

    found = client.mgmt.audit.search(actions=[action])["audits"]
    assert len(found) == 1
    event = found[0]
    assert event["action"] == action
    assert event["userId"] == "U2payer"
    assert event["tenants"] == ["T2acme"]
    assert event["data"] == {"amount": 42, "currency": "EUR"}
    assert event["projectId"] == server.project_id

    raw = audit_search(server, actions=[action])[0]  # what the SDK's conversion leaves out
    assert (raw["type"], raw["actorId"]) == ("info", "billing-service")
    assert raw["remoteAddress"] == "127.0.0.1"
    assert [e["action"] for e in audit_search(server, userIds=["U2payer"])] == [action]


def test_an_event_without_user_or_data(server: LiveServer) -> None:
    client = server.client(management=True)
    action = tag("report.exported")
    client.mgmt.audit.create_event(action, "warn", "cron", "T2acme")
    event = client.mgmt.audit.search(actions=[action])["audits"][0]
    assert (event["userId"], event["data"]) == ("", {})


def test_writing_an_event_is_itself_audited(server: LiveServer) -> None:
    action = tag("door.opened")
    server.client(management=True).mgmt.audit.create_event(action, "error", "door-7", "T2acme")
    assert audit_search(server, actions=["mgmt_audit.create_event"], limit=1)


@pytest.mark.parametrize(
    ("type_", "code"),
    [("debug", "E011004"), ("INFO", "E011004"), ("", "E011002")],
)
def test_an_unknown_type_is_refused(server: LiveServer, type_: str, code: str) -> None:
    client = server.client(management=True)
    action = tag("bad.type")
    assert refused_code(client.mgmt.audit.create_event, action, type_, "actor", "T2acme") == code
    assert audit_search(server, actions=[action]) == []


@pytest.mark.parametrize("missing", ["action", "type", "actorId", "tenantId"])
def test_required_fields(server: LiveServer, missing: str) -> None:
    body = {"action": tag("missing"), "type": "info", "actorId": "actor", "tenantId": "T2acme"}
    response = mgmt_request(server, "POST", "/v1/mgmt/audit/event", {**body, missing: None})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011002"
    assert missing in response.json()["errorMessage"]


def test_a_user_id_longer_than_any_user_id_is_refused(server: LiveServer) -> None:
    body = {"action": tag("long"), "type": "info", "actorId": "a", "tenantId": "t", "userId": "U" * 33}
    response = mgmt_request(server, "POST", "/v1/mgmt/audit/event", body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011003"
