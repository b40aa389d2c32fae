"""An audit event's detail is stored snake_case (``error_code``); events stored before that
(``errorCode``) read the same. Both surfaces keep Descope's spelling: the management API's
``data.errorCode`` and the CLI's ``detail.errorCode``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from descope import AuthException, DeliveryMethod

from passgate.identifiers import new_opaque_id
from passgate.models.audit import AuditEvent
from passgate.storage import audit_store
from passgate.storage.connect import open_database
from tests.support import LiveServer, audit_search, passgate_cli_in_process, unique_email


def _cli_search(server: LiveServer, *args: str) -> list[dict[str, Any]]:
    out = passgate_cli_in_process(
        server.settings.data_dir,
        server.settings.resolved_database_url(),
        "audit",
        "search",
        "--project",
        server.project_id,
        "--json",
        *args,
    ).stdout
    return list(json.loads(out))


def _stored_failure_details(server: LiveServer, masked_login_id: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            async with db.transaction(write=False) as tx:
                rows = await tx.fetch_all(
                    "SELECT detail FROM audit_events"
                    " WHERE project_id = :p AND login_id_masked = :m AND outcome = 'failure'",
                    {"p": server.project_id, "m": masked_login_id},
                )
        finally:
            await db.close()
        return [json.loads(row["detail"]) for row in rows]

    return asyncio.run(run())


def test_a_failure_is_stored_snake_case_and_answered_as_descope_spells_it(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("audit-detail")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    with pytest.raises(AuthException):
        client.otp.verify_code(DeliveryMethod.EMAIL, login_id, "000000")
    failure = next(e for e in audit_search(server, loginIds=[login_id]) if e["data"]["outcome"] == "failure")
    assert failure["data"] == {"outcome": "failure", "errorCode": "E061102"}
    assert _stored_failure_details(server, failure["externalIds"][0]) == [{"error_code": "E061102"}]
    cli = next(e for e in _cli_search(server, "--login-id", login_id) if e["outcome"] == "failure")
    assert cli["detail"] == {"errorCode": "E061102"}


def test_a_legacy_camel_case_detail_is_read(server: LiveServer) -> None:
    user_id, action = new_opaque_id(), f"legacy.{new_opaque_id()[:8]}"

    async def insert_legacy() -> None:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            async with db.transaction() as tx:
                event = AuditEvent(
                    id=new_opaque_id(),
                    project_id=server.project_id,
                    occurred_at_ms=int(server.clock.now() * 1000),
                    action=action,
                    outcome="failure",
                    user_id=user_id,
                    detail={"errorCode": "E061103"},
                )
                await audit_store.insert(tx, event)
        finally:
            await db.close()

    asyncio.run(insert_legacy())
    [found] = audit_search(server, actions=[action])
    assert found["data"] == {"outcome": "failure", "errorCode": "E061103"}
    [shown] = _cli_search(server, "--action", action)
    assert shown["detail"] == {"errorCode": "E061103"}
