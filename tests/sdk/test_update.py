"""Updating a signed-in user's email or phone through the SDK, including user merges."""

from __future__ import annotations

import json
from typing import Any

import pytest
from descope import AuthException, DeliveryMethod

from tests.support import LiveServer, signed_in, unique_email, unique_phone

PHONE_METHODS = {"sms": DeliveryMethod.SMS, "voice": DeliveryMethod.VOICE, "whatsapp": DeliveryMethod.WHATSAPP}


def refresh_of(jwt_response: dict[str, Any]) -> str:
    return str(jwt_response["refreshSessionToken"]["jwt"])


def test_update_email_replaces_address_and_keeps_login_ids(server: LiveServer) -> None:
    client = server.client()
    login_id, new_email = unique_email("old"), unique_email("new")
    session = signed_in(server, login_id)

    masked = client.otp.update_user_email(login_id, new_email, refresh_of(session))
    assert masked.endswith(new_email.split("@")[1])
    updated = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(new_email))
    assert updated["user"]["email"] == new_email
    assert updated["user"]["verifiedEmail"] is True
    assert updated["user"]["loginIds"] == [login_id]
    client.validate_session(updated["sessionToken"]["jwt"])


def test_update_email_add_to_login_ids(server: LiveServer) -> None:
    client = server.client()
    login_id, new_email = unique_email("old"), unique_email("new")
    session = signed_in(server, login_id)
    client.otp.update_user_email(login_id, new_email, refresh_of(session), add_to_login_ids=True)
    updated = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(new_email))
    assert updated["user"]["loginIds"] == [login_id, new_email]
    client.otp.sign_in(DeliveryMethod.EMAIL, new_email)  # the new address now signs in
    again = client.otp.verify_code(DeliveryMethod.EMAIL, new_email, server.inbox.code_for(new_email, after=1))
    assert again["user"]["userId"] == session["user"]["userId"]


@pytest.mark.parametrize("use_existing", [False, True], ids=["keep-updated", "keep-existing"])
def test_update_email_merges_users(server: LiveServer, use_existing: bool) -> None:
    client = server.client()
    updated_login, existing_login = unique_email("updated"), unique_email("existing")
    updated_session = signed_in(server, updated_login)
    existing_session = signed_in(server, existing_login)

    client.otp.update_user_email(
        updated_login,
        existing_login,
        refresh_of(updated_session),
        add_to_login_ids=True,
        on_merge_use_existing=use_existing,
    )
    merged = client.otp.verify_code(DeliveryMethod.EMAIL, updated_login, server.inbox.code_for(existing_login, after=1))

    survivor, absorbed = (existing_session, updated_session) if use_existing else (updated_session, existing_session)
    assert merged["user"]["userId"] == survivor["user"]["userId"]
    assert set(merged["user"]["loginIds"]) == {updated_login, existing_login}
    assert merged["user"]["email"] == existing_login
    assert merged["user"]["verifiedEmail"] is True
    client.validate_session(merged["sessionToken"]["jwt"])

    with pytest.raises(AuthException) as revoked:  # the absorbed user's tokens died with it
        client.refresh_session(refresh_of(absorbed))
    assert revoked.value.status_code == 401
    client.refresh_session(refresh_of(survivor))  # the survivor's old session lives on

    mgmt = server.client(management=True)
    for login_id in (updated_login, existing_login):
        assert mgmt.mgmt.user.load(login_id)["user"]["userId"] == survivor["user"]["userId"]
    with pytest.raises(AuthException):
        mgmt.mgmt.user.load_by_user_id(absorbed["user"]["userId"])


@pytest.mark.parametrize("method", list(PHONE_METHODS))
def test_update_phone_each_method(server: LiveServer, method: str) -> None:
    client = server.client()
    login_id, phone = unique_email(), unique_phone()
    session = signed_in(server, login_id)
    masked = client.otp.update_user_phone(PHONE_METHODS[method], login_id, phone, refresh_of(session))
    assert masked.endswith(phone[-4:])
    message = server.inbox.wait_for(phone)
    assert message["channel"] == method
    updated = client.otp.verify_code(PHONE_METHODS[method], login_id, server.inbox.code_for(phone))
    assert updated["user"]["phone"] == phone
    assert updated["user"]["verifiedPhone"] is True


@pytest.mark.parametrize("use_existing", [False, True], ids=["keep-updated", "keep-existing"])
def test_update_phone_merges_users(server: LiveServer, use_existing: bool) -> None:
    client = server.client()
    updated_login, phone = unique_email("updated"), unique_phone()
    updated_session = signed_in(server, updated_login)
    existing_session = signed_in(server, phone, DeliveryMethod.SMS)

    client.otp.update_user_phone(
        DeliveryMethod.SMS,
        updated_login,
        phone,
        refresh_of(updated_session),
        add_to_login_ids=True,
        on_merge_use_existing=use_existing,
    )
    merged = client.otp.verify_code(DeliveryMethod.SMS, updated_login, server.inbox.code_for(phone, after=1))
    survivor = existing_session if use_existing else updated_session
    assert merged["user"]["userId"] == survivor["user"]["userId"]
    assert set(merged["user"]["loginIds"]) == {updated_login, phone}
    assert merged["user"]["phone"] == phone


def test_update_requires_the_users_own_refresh_token(server: LiveServer) -> None:
    client = server.client()
    mine, theirs = unique_email("mine"), unique_email("theirs")
    signed_in(server, mine)
    their_session = signed_in(server, theirs)
    with pytest.raises(AuthException) as refused:
        client.otp.update_user_email(mine, unique_email(), refresh_of(their_session))
    assert refused.value.status_code == 401
    with pytest.raises(AuthException) as missing:
        client.otp.update_user_email(mine, unique_email(), "")
    assert missing.value.status_code == 401
    session_jwt = their_session["sessionToken"]["jwt"]
    with pytest.raises(AuthException) as wrong_type:  # a session JWT is not a refresh JWT
        client.otp.update_user_email(theirs, unique_email(), session_jwt)
    assert json.loads(wrong_type.value.error_message or "")["errorCode"] == "E064002"
