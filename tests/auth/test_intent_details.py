"""The stored JSON of a sign-in in progress: ``IntentDetails`` (challenges, link tokens) and
``GrantDetails`` (pending enchanted-link sessions).

New rows are written snake_case; rows written before the records existed hold the legacy
camelCase shape and must still be read, in memory and end to end through the server.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import jwt
from descope import DeliveryMethod

from passgate.auth.intent_details import (
    GrantDetails,
    IntentDetails,
    grant_details_from_stored,
    grant_details_to_stored,
    intent_details_from_stored,
    intent_details_to_stored,
)
from passgate.models.users import UserProfile
from passgate.storage.connect import open_database
from tests.support import LiveServer, signed_in, token_of, unique_email

CAMEL_CASE = re.compile(r"[a-z][A-Z]")

FULL = IntentDetails(
    address="ada@example.com",
    profile=UserProfile(name="Ada", given_name="Ada", verified_email=True, custom_attributes={"team": "x"}),
    stepup=True,
    mfa=True,
    prior_amr=("email", "sms"),
    custom_claims={"nsecClaim": 1},
    management_claims={"level": "gold"},
    revoke_other_sessions=True,
    add_to_login_ids=True,
    merge_into_existing=True,
)


def _through_json(stored: dict[str, Any]) -> dict[str, Any]:
    """``stored`` as the storage layer writes and reads it back."""
    return dict(json.loads(json.dumps(stored)))


def test_intent_details_round_trip() -> None:
    for details in (FULL, IntentDetails(), IntentDetails(address="+15555550100", mfa=True, prior_amr=("email",))):
        assert intent_details_from_stored(_through_json(intent_details_to_stored(details))) == details


def test_intent_details_are_stored_snake_case() -> None:
    stored = intent_details_to_stored(FULL)
    assert not [key for key in stored if CAMEL_CASE.search(key)]
    assert stored["prior_amr"] == ["email", "sms"]
    assert stored["profile"]["given_name"] == "Ada"
    assert "profile" not in intent_details_to_stored(IntentDetails(address="a@example.com"))


def test_legacy_sign_up_details_are_read() -> None:
    legacy = {
        "address": "ada@example.com",
        "profile": {"name": "Ada", "given_name": "Ada", "verified_email": False, "custom_attributes": {"a": 1}},
        "options": {
            "stepup": False,
            "mfa": False,
            "customClaims": {"k": "v"},
            "revokeOtherSessions": True,
            "priorAmr": [],
        },
    }
    assert intent_details_from_stored(legacy) == IntentDetails(
        address="ada@example.com",
        profile=UserProfile(name="Ada", given_name="Ada", custom_attributes={"a": 1}),
        custom_claims={"k": "v"},
        revoke_other_sessions=True,
    )


def test_legacy_update_and_management_details_are_read() -> None:
    update = {
        "address": "new@example.com",
        "addToLoginIds": True,
        "mergeIntoExisting": True,
        "options": {"mfa": True, "priorAmr": ["email"]},
    }
    assert intent_details_from_stored(update) == IntentDetails(
        address="new@example.com", mfa=True, prior_amr=("email",), add_to_login_ids=True, merge_into_existing=True
    )
    embedded = {"address": "", "options": {"managementClaims": {"level": "gold"}}}
    assert intent_details_from_stored(embedded) == IntentDetails(management_claims={"level": "gold"})
    decoy = {"address": "x@example.com", "options": {}}
    assert intent_details_from_stored(decoy) == IntentDetails(address="x@example.com")


def test_grant_details_round_trip_and_legacy() -> None:
    details = GrantDetails(first_seen=True, stepup=True, nsec={"a": 1}, claims={"b": 2})
    stored = grant_details_to_stored(details)
    assert not [key for key in stored if CAMEL_CASE.search(key)]
    assert grant_details_from_stored(_through_json(stored)) == details
    legacy = {"firstSeen": True, "stepup": False, "nsec": {"a": 1}, "claims": {}}
    assert grant_details_from_stored(legacy) == GrantDetails(first_seen=True, nsec={"a": 1})
    assert grant_details_from_stored({}) == GrantDetails()


# --- end to end: a legacy row written before the upgrade is completed after it ---------------
def _execute(server: LiveServer, sql: str, params: dict[str, Any]) -> int:
    async def run() -> int:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            async with db.transaction() as tx:
                return await tx.execute(sql, params)
        finally:
            await db.close()

    return asyncio.run(run())


def _set_pending_challenge_details(server: LiveServer, login_id: str, details: dict[str, Any]) -> None:
    changed = _execute(
        server,
        "UPDATE challenges SET details = :d WHERE project_id = :p AND login_id = :l AND state = 'pending'",
        {"d": json.dumps(details), "p": server.project_id, "l": login_id},
    )
    assert changed == 1


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_a_legacy_sign_up_challenge_is_verified(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("legacy")
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id, {"name": "Written Now"})
    code = server.inbox.code_for(login_id)
    _set_pending_challenge_details(
        server,
        login_id,
        {
            "address": login_id,
            "profile": {"name": "Written Before", "given_name": "Before"},
            "options": {
                "stepup": False,
                "mfa": False,
                "customClaims": {"origin": "legacy"},
                "revokeOtherSessions": False,
                "priorAmr": [],
            },
        },
    )
    verified = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
    assert verified["firstSeen"] is True
    assert verified["user"]["name"] == "Written Before"
    assert verified["user"]["givenName"] == "Before"
    assert verified["user"]["verifiedEmail"] is True
    assert _claims(verified["sessionToken"]["jwt"])["nsec"] == {"origin": "legacy"}


def test_a_legacy_update_challenge_is_verified(server: LiveServer) -> None:
    client = server.client()
    login_id, new_email = unique_email("legacy-old"), unique_email("legacy-new")
    session = signed_in(server, login_id)
    client.otp.update_user_email(login_id, new_email, session["refreshSessionToken"]["jwt"])
    code = server.inbox.code_for(new_email)
    legacy = {
        "address": new_email,
        "addToLoginIds": True,
        "mergeIntoExisting": False,
        "options": {"mfa": False, "priorAmr": []},
    }
    _set_pending_challenge_details(server, login_id, legacy)
    updated = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
    assert updated["user"]["email"] == new_email
    assert updated["user"]["loginIds"] == [login_id, new_email]  # addToLoginIds was read


def test_a_legacy_pending_enchanted_session_is_claimed(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("legacy-enchanted")
    started = client.enchantedlink.sign_up_or_in(login_id, "http://localhost:3000/callback")
    client.enchantedlink.verify(token_of(server.inbox.links_for(login_id)[started["linkId"]]))
    changed = _execute(
        server,
        "UPDATE pending_sessions SET grant_details = :g WHERE project_id = :p AND state = 'ready' AND session_id IN"
        " (SELECT s.id FROM sessions s JOIN login_ids l ON l.user_id = s.user_id"
        "  WHERE l.project_id = :p AND l.login_id = :l)",
        {
            "g": json.dumps({"firstSeen": False, "stepup": False, "nsec": {"origin": "legacy"}, "claims": {"m": 1}}),
            "p": server.project_id,
            "l": login_id,
        },
    )
    assert changed == 1
    session = client.enchantedlink.get_session(started["pendingRef"])
    assert session["firstSeen"] is False  # the stored legacy value, not the sign-up's True
    claims = _claims(session["sessionToken"]["jwt"])
    assert claims["nsec"] == {"origin": "legacy"}
    assert claims["m"] == 1
