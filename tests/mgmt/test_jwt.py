"""Management JWT calls through the SDK's ``client.mgmt.jwt``: update, sign-in/up, anonymous,
impersonation (contract §5.6)."""

from __future__ import annotations

from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from descope import AssociatedTenant, AuthException
from descope.management.common import MgmtLoginOptions, MgmtSignUpOptions, MgmtUserRequest

from tests.support import LiveServer, error_code, signed_in, unique_email

PROJECT_REFRESH_TTL = 28 * 86_400


def new_user(server: LiveServer, **fields: Any) -> tuple[str, str]:
    """A user created through the management API: (login ID, user ID)."""
    login_id = unique_email("mgmt")
    created = server.client(management=True).mgmt.user.create(login_id, email=login_id, **fields)
    return login_id, str(created["user"]["userId"])


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    """The error code of a call that must fail."""
    with pytest.raises(AuthException) as failure:
        call(*args, **kwargs)
    return error_code(failure.value)


# --- sign-in ---------------------------------------------------------------------------------
def test_sign_in_answers_tokens_the_sdk_validates_and_custom_claims_survive_refresh(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, user_id = new_user(server)
    options = MgmtLoginOptions(custom_claims={"plan": "pro", "sub": "someone-else", "roles": ["admin"]})
    answer = client.mgmt.jwt.sign_in(login_id, options)
    session, refresh = answer["sessionToken"], answer["refreshSessionToken"]
    assert answer["userId"] == user_id
    assert answer["firstSeen"] is False
    assert answer["user"]["loginIds"] == [login_id]
    assert session["drn"] == "DS"
    assert refresh["drn"] == "DSR"
    assert session["plan"] == refresh["plan"] == "pro"
    assert session["sub"] == user_id
    assert session["roles"] == []
    assert session["amr"] == ["mgmt"]
    refreshed = server.client().refresh_session(refresh["jwt"])
    assert refreshed["sessionToken"]["plan"] == "pro"


def test_sign_in_refuses_unknown_and_disabled_users(server: LiveServer) -> None:
    client = server.client(management=True)
    assert refused(client.mgmt.jwt.sign_in, unique_email("nobody")) == "E112102"
    login_id, _ = new_user(server)
    client.mgmt.user.deactivate(login_id)
    assert refused(client.mgmt.jwt.sign_in, login_id) == "E062109"


def test_sign_in_can_revoke_other_sessions(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, _ = new_user(server)
    first = client.mgmt.jwt.sign_in(login_id)["refreshSessionToken"]["jwt"]
    second = client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(revoke_other_sessions=True))
    assert refused(server.client().refresh_session, first) == "E064001"
    server.client().refresh_session(second["refreshSessionToken"]["jwt"])


def test_step_up_and_mfa_build_on_the_users_session(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("stepup")
    prior = signed_in(server, login_id)["refreshSessionToken"]["jwt"]
    stepped = client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(stepup=True, mfa=True, jwt=prior))
    assert stepped["sessionToken"]["su"] is True
    assert stepped["sessionToken"]["amr"] == ["email", "mgmt", "mfa"]
    other, _ = new_user(server)
    assert refused(client.mgmt.jwt.sign_in, other, MgmtLoginOptions(stepup=True, jwt=prior)) == "E112502"


def test_refresh_duration_sets_the_refresh_lifetime_within_the_projects(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, _ = new_user(server)
    short = client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(refresh_duration=900))["refreshSessionToken"]
    assert short["exp"] - short["iat"] == 900
    capped = client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(refresh_duration=10**9))["refreshSessionToken"]
    assert capped["exp"] - capped["iat"] == PROJECT_REFRESH_TTL


# --- sign-up ---------------------------------------------------------------------------------
def test_sign_up_creates_once_and_sign_up_or_in_signs_in_the_existing_user(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("signup")
    profile = MgmtUserRequest(name="Ada Lovelace", given_name="Ada", email=login_id, email_verified=True)
    created = client.mgmt.jwt.sign_up(login_id, profile, MgmtSignUpOptions(custom_claims={"source": "import"}))
    assert created["firstSeen"] is True
    assert created["user"]["name"] == "Ada Lovelace"
    assert created["user"]["verifiedEmail"] is True
    assert created["sessionToken"]["source"] == "import"

    assert refused(client.mgmt.jwt.sign_up, login_id, profile) == "E062107"

    again = client.mgmt.jwt.sign_up_or_in(login_id, profile)
    assert again["firstSeen"] is False
    assert again["userId"] == created["userId"]
    fresh = client.mgmt.jwt.sign_up_or_in(unique_email("signup-in"))
    assert fresh["firstSeen"] is True


# --- update ----------------------------------------------------------------------------------
def test_update_jwt_adds_claims_to_a_session_jwt(server: LiveServer) -> None:
    client = server.client(management=True)
    session = signed_in(server)["sessionToken"]["jwt"]
    updated = client.mgmt.jwt.update_jwt(session, {"level": 3, "drn": "DSR", "act": {"sub": "x"}})
    claims = client.validate_session(updated)
    assert claims["level"] == 3
    assert claims["drn"] == "DS"
    assert "act" not in claims
    assert claims["userId"] == client.validate_session(session)["userId"]


def test_update_jwt_of_a_refresh_jwt_keeps_the_claims_across_refresh(server: LiveServer) -> None:
    client = server.client(management=True)
    refresh = signed_in(server)["refreshSessionToken"]["jwt"]
    updated = client.mgmt.jwt.update_jwt(refresh, {"team": "blue"}, 1800)
    refresh_claims = client.validate_session(updated)
    assert refresh_claims["drn"] == "DSR"
    assert refresh_claims["team"] == "blue"
    assert refresh_claims["exp"] - refresh_claims["iat"] == 1800
    refreshed = server.client().refresh_session(updated)
    assert refreshed["sessionToken"]["team"] == "blue"


def test_update_jwt_refuses_foreign_and_garbage_tokens(server: LiveServer) -> None:
    client = server.client(management=True)
    assert refused(client.mgmt.jwt.update_jwt, "not.a.jwt", {"a": 1}) == "E112502"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(server.clock.now())
    claims = {"sub": "U2x", "iss": server.project_id, "aud": [server.project_id], "iat": now, "exp": now + 600}
    forged = pyjwt.encode({**claims, "drn": "DS"}, key, algorithm="RS256", headers={"kid": "elsewhere"})
    assert refused(client.mgmt.jwt.update_jwt, forged, {"a": 1}) == "E112502"


def test_custom_claim_limits(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id, _ = new_user(server)
    for claims in ({"k" * 61: 1}, {"long": "v" * 501}, {f"c{i}": i for i in range(101)}):
        assert refused(client.mgmt.jwt.sign_in, login_id, MgmtLoginOptions(custom_claims=claims)) == "E011004"
    within = {"k" * 60: "v" * 500, **{f"c{i}": i for i in range(99)}}
    assert client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(custom_claims=within))["sessionToken"]["c98"] == 98


# --- anonymous -------------------------------------------------------------------------------
def test_anonymous_user_gets_tokens_without_a_user_row(server: LiveServer) -> None:
    client = server.client(management=True)
    answer = client.mgmt.jwt.anonymous({"cart": "c-1"})
    session = answer["sessionToken"]
    assert session["danu"] is True
    assert session["cart"] == "c-1"
    assert session["amr"] == []
    assert "user" not in answer
    assert answer["refreshSessionToken"]["danu"] is True
    assert refused(client.mgmt.user.load_by_user_id, answer["userId"]) == "E112102"
    assert client.validate_session(client.mgmt.jwt.update_jwt(session["jwt"], {"step": 2}))["step"] == 2


# --- impersonation ---------------------------------------------------------------------------
def support_agent(server: LiveServer, *, tenant_id: str | None = None) -> str:
    """A user whose role carries the ``impersonation`` permission (in ``tenant_id`` if given)."""
    client = server.client(management=True)
    if "impersonation" not in {p["name"] for p in client.mgmt.permission.load_all()["permissions"]}:
        client.mgmt.permission.create("impersonation", "May impersonate users")
    role = f"support-{unique_email('r').split('@')[0]}"
    client.mgmt.role.create(role, permission_names=["impersonation"], tenant_id=tenant_id)
    if tenant_id:
        return new_user(server, user_tenants=[AssociatedTenant(tenant_id, [role])])[1]
    return new_user(server, role_names=[role])[1]


def test_impersonation_needs_the_permission_and_no_consent_check(server: LiveServer) -> None:
    client = server.client(management=True)
    target, _ = new_user(server)
    _, plain = new_user(server)
    assert refused(client.mgmt.jwt.impersonate, plain, target, False) == "E112501"
    agent = support_agent(server)
    assert refused(client.mgmt.jwt.impersonate, agent, target, True) == "E112501"


def test_impersonated_refresh_jwt_records_the_impersonator_until_stopped(server: LiveServer) -> None:
    client = server.client(management=True)
    target, target_id = new_user(server)
    agent = support_agent(server)
    impersonation = client.mgmt.jwt.impersonate(agent, target, False, custom_claims={"ticket": "T-7"})
    claims = client.validate_session(impersonation)
    assert claims["drn"] == "DSR"
    assert claims["sub"] == target_id
    assert claims["act"] == {"sub": agent}

    refreshed = server.client().refresh_session(impersonation)
    assert refreshed["sessionToken"]["act"] == {"sub": agent}
    assert refreshed["sessionToken"]["sub"] == target_id
    assert refreshed["sessionToken"]["ticket"] == "T-7"

    own = client.mgmt.jwt.stop_impersonation(refreshed["refreshSessionToken"]["jwt"])
    own_claims = client.validate_session(own)
    assert own_claims["sub"] == agent
    assert "act" not in own_claims
    assert refused(server.client().refresh_session, refreshed["refreshSessionToken"]["jwt"]) == "E064001"
    server.client().refresh_session(own)


def test_tenant_impersonation_permission_applies_with_that_tenant_selected(server: LiveServer) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(f"Acme {unique_email('t')}")["id"]
    target, _ = new_user(server, user_tenants=[AssociatedTenant(tenant_id)])
    agent = support_agent(server, tenant_id=tenant_id)
    assert refused(client.mgmt.jwt.impersonate, agent, target, False) == "E112501"
    impersonation = client.mgmt.jwt.impersonate(agent, target, False, tenant_id=tenant_id)
    assert client.validate_session(impersonation)["dct"] == tenant_id
    refreshed = server.client().refresh_session(impersonation)
    assert refreshed["sessionToken"]["dct"] == tenant_id
