"""The management subset for test automation, through the SDK's ``client.mgmt``."""

from __future__ import annotations

import pytest
from descope import AuthException, DeliveryMethod
from descope.common import LoginOptions

from tests.support import LiveServer, error_code, unique_email, unique_phone


def test_test_user_signs_in_with_generated_code_and_nothing_is_sent(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("test")
    created = client.mgmt.user.create_test_user(login_id, email=login_id, display_name="Tess")
    assert created["user"]["test"] is True
    assert created["user"]["name"] == "Tess"

    generated = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login_id)
    assert generated["loginId"] == login_id
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)  # must not replace the generated code
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, generated["code"])
    claims = client.validate_session(session["sessionToken"]["jwt"])
    assert claims["tu"] is True
    assert server.inbox.count(login_id) == 0


def test_generated_code_carries_management_claims(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_phone()
    client.mgmt.user.create_test_user(login_id, phone=login_id)
    generated = client.mgmt.user.generate_otp_for_test_user(
        DeliveryMethod.SMS, login_id, LoginOptions(custom_claims={"tier": "gold"})
    )
    session = client.otp.verify_code(DeliveryMethod.SMS, login_id, generated["code"])
    assert session["sessionToken"]["tier"] == "gold"  # management claims are top level
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["tier"] == "gold"


def test_embedded_code_verifies_at_any_method(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("embedded")
    client.mgmt.user.create_test_user(login_id, email=login_id)
    generated = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMBEDDED, login_id)
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, generated["code"])
    assert session["user"]["loginIds"] == [login_id]


def test_generate_otp_refuses_regular_users(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("regular")
    client.mgmt.user.create(login_id, email=login_id)
    with pytest.raises(AuthException) as refused:
        client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login_id)
    assert error_code(refused.value) == "E112103"


def test_create_load_delete_and_delete_revokes_sessions(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("managed")
    created = client.mgmt.user.create(
        login_id,
        email=login_id,
        given_name="Grace",
        family_name="Hopper",
        additional_login_ids=["grace"],
        custom_attributes={"team": "navy"},
    )["user"]
    assert created["loginIds"] == [login_id, "grace"]
    assert created["customAttributes"] == {"team": "navy"}
    assert client.mgmt.user.load(login_id)["user"]["userId"] == created["userId"]
    assert client.mgmt.user.load_by_user_id(created["userId"])["user"]["givenName"] == "Grace"

    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id))
    client.mgmt.user.delete(login_id)
    with pytest.raises(AuthException) as gone:
        client.mgmt.user.load(login_id)
    assert gone.value.status_code == 404
    assert error_code(gone.value) == "E112102"
    with pytest.raises(AuthException) as revoked:
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert revoked.value.status_code == 401


def test_create_duplicate_login_id_is_refused(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("dup")
    client.mgmt.user.create(login_id)
    with pytest.raises(AuthException) as refused:
        client.mgmt.user.create(login_id.upper())  # emails are one user whatever the case
    assert error_code(refused.value) == "E062107"


def test_license_handshake_answers(server: LiveServer) -> None:
    import httpx

    bearer = f"Bearer {server.project_id}:{server.management_key}"
    response = httpx.get(f"{server.base_url}/v1/mgmt/license", headers={"Authorization": bearer})
    assert response.json() == {"rateLimitTier": "tier4"}
