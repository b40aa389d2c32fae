"""Passwords end to end with the official ``descope`` SDK: sign-up, sign-in, replace,
update, reset by link, the policy, management's set/expire/settings, imported hashes."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bcrypt
import httpx
import pytest
from descope import AuthException, UserObj
from descope.management.user_pwd import UserPassword, UserPasswordBcrypt

from tests.support import (
    LiveServer,
    another_project,
    database_url,
    error_code,
    live_server,
    mgmt_request,
    refused_code,
    relaxed,
    stored_rows,
    unique_email,
)

GOOD = "correct horse battery staple"
OTHER = "tr0ub4dor&3-but-longer"
HASH = "SELECT hash FROM passwords WHERE user_id = :u"


def signed_up(server: LiveServer, password: str = GOOD) -> tuple[str, dict[str, Any]]:
    login_id = unique_email("pwd")
    return login_id, server.client().password.sign_up(login_id, password, {"name": "Ada"})


def sign_in(server: LiveServer, login_id: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/auth/password/signin",
        json={"loginId": login_id, "password": password},
        headers={"Authorization": f"Bearer {server.project_id}"},
        timeout=30,
    )


def test_sign_up_then_sign_in_with_the_password(server: LiveServer) -> None:
    client = server.client()
    login_id, answer = signed_up(server)
    claims = client.validate_session(answer["sessionToken"]["jwt"])  # keys from /v2/keys
    assert claims["amr"] == ["pwd"]
    assert answer["user"]["password"] is True
    assert answer["firstSeen"] is True

    again = client.password.sign_in(login_id, GOOD)
    assert client.validate_session(again["sessionToken"]["jwt"])["amr"] == ["pwd"]
    assert again["firstSeen"] is False
    assert client.me(again["refreshSessionToken"]["jwt"])["password"] is True
    stored = stored_rows(server, "SELECT hash FROM passwords WHERE user_id = :u", {"u": answer["user"]["userId"]})
    assert stored[0]["hash"].startswith("$argon2id$v=19$")
    assert GOOD not in stored[0]["hash"]


def test_a_wrong_password_and_an_unknown_login_id_are_refused(server: LiveServer) -> None:
    login_id, _ = signed_up(server)
    assert refused_code(server.client().password.sign_in, login_id, "not the password at all") == "E062901"
    assert refused_code(server.client().password.sign_in, unique_email("nobody"), GOOD) == "E062108"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 8"),
        ("password1", "too common"),
        ("Qwertyuiop", "too common"),  # compared case-blind
    ],
)
def test_the_default_policy_refuses_short_and_common_passwords(server: LiveServer, password: str, reason: str) -> None:
    with pytest.raises(AuthException) as refused:
        server.client().password.sign_up(unique_email("policy"), password)
    assert error_code(refused.value) == "E062902"
    assert reason in str(refused.value.error_message)


def test_the_login_id_is_not_a_password(server: LiveServer) -> None:
    login_id = unique_email("samename")
    assert refused_code(server.client().password.sign_up, login_id, login_id) == "E062902"
    assert refused_code(server.client().password.sign_up, login_id, login_id.split("@")[0]) == "E062902"
    assert stored_rows(server, "SELECT 1 FROM login_ids WHERE login_id = :l", {"l": login_id}) == []


def test_replace_needs_the_old_password_and_signs_in(server: LiveServer) -> None:
    client = server.client()
    login_id, _ = signed_up(server)
    assert refused_code(client.password.replace, login_id, "wrong old password", OTHER) == "E062901"
    answer = client.password.replace(login_id, GOOD, OTHER)
    assert client.validate_session(answer["sessionToken"]["jwt"])["amr"] == ["pwd"]
    assert refused_code(client.password.sign_in, login_id, GOOD) == "E062901"
    client.password.sign_in(login_id, OTHER)


def test_update_with_the_refresh_jwt(server: LiveServer) -> None:
    client = server.client()
    login_id, answer = signed_up(server)
    refresh = answer["refreshSessionToken"]["jwt"]
    client.password.update(login_id, OTHER, refresh)
    client.password.sign_in(login_id, OTHER)
    assert refused_code(client.password.update, login_id, "short", refresh) == "E062902"
    assert refused_code(client.password.update, unique_email("other"), OTHER, refresh) == "E064002"


def test_reset_by_magic_link_to_the_verified_email_then_update(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("reset")
    client.mgmt.user.create(login_id, email=login_id, verified_email=True)
    client.mgmt.user.set_active_password(login_id, GOOD)

    sent = client.password.send_reset(login_id, "http://localhost/reset")
    assert sent["resetMethod"] == "magiclink"
    assert sent["maskedEmail"] == login_id[0] + "***@" + login_id.split("@")[1]
    message = server.inbox.wait_for(login_id)
    assert "reset" in message["subject"].lower()
    token = server.inbox.token_for(login_id)
    session = client.magiclink.verify(token)
    client.password.update(login_id, OTHER, session["refreshSessionToken"]["jwt"])
    client.password.sign_in(login_id, OTHER)
    assert refused_code(client.magiclink.verify, token) == "E062501"  # the link works once


def test_reset_needs_a_verified_email(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("unverified")
    client.mgmt.user.create(login_id, email=login_id, verified_email=False)
    client.mgmt.user.set_active_password(login_id, GOOD)
    assert refused_code(client.password.send_reset, login_id) == "E062905"
    assert refused_code(client.password.send_reset, unique_email("nobody")) == "E062108"


def test_temporary_and_expired_passwords_must_be_replaced(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("temporary")
    client.mgmt.user.create(login_id, email=login_id)
    client.mgmt.user.set_temporary_password(login_id, GOOD)
    assert refused_code(client.password.sign_in, login_id, GOOD) == "E062909"
    # only the right password learns that it must be replaced
    assert refused_code(client.password.sign_in, login_id, "wrong wrong wrong") == "E062901"
    assert refused_code(client.password.replace, login_id, GOOD, GOOD) == "E062902"  # not by itself
    client.password.replace(login_id, GOOD, OTHER)
    client.password.sign_in(login_id, OTHER)

    client.mgmt.user.expire_password(login_id)
    assert refused_code(client.password.sign_in, login_id, OTHER) == "E062909"
    client.mgmt.user.set_active_password(login_id, GOOD)
    client.password.sign_in(login_id, GOOD)
    client.mgmt.user.set_password(login_id, OTHER)  # deprecated: temporary
    assert refused_code(client.password.sign_in, login_id, OTHER) == "E062909"


def test_the_policys_expiry(server: LiveServer) -> None:
    own = another_project(server)
    client = own.client(management=True)
    client.mgmt.password.configure_settings("", {"expiration": True, "expirationWeeks": 1})
    login_id, _ = signed_up(own)
    client.password.sign_in(login_id, GOOD)
    server.clock.advance(8 * 86_400)
    try:
        assert refused_code(client.password.sign_in, login_id, GOOD) == "E062909"
    finally:
        server.clock.advance(-8 * 86_400)


def test_settings_set_the_policy_the_sign_up_meets(server: LiveServer) -> None:
    own = another_project(server)
    client = own.client(management=True)
    assert client.password.get_policy() == {
        "minLength": 8,
        "lowercase": False,
        "uppercase": False,
        "number": False,
        "nonAlphanumeric": False,
    }
    client.mgmt.password.configure_settings(
        "", {"enabled": True, "minLength": 12, "uppercase": True, "number": True, "nonAlphanumeric": True}
    )
    assert client.password.get_policy()["minLength"] == 12
    settings = client.mgmt.password.get_settings()
    assert (settings["minLength"], settings["uppercase"], settings["lock"]) == (12, True, False)
    assert "upper-case" in str(_refusal(client.password.sign_up, unique_email("p"), "lowercase only 123!"))
    assert "symbol" in str(_refusal(client.password.sign_up, unique_email("p"), "Lowercaseonly123"))
    client.password.sign_up(unique_email("p"), "Long Enough 123!")

    client.mgmt.password.configure_settings("", {"enabled": False})
    assert refused_code(client.password.sign_up, unique_email("p"), "Long Enough 123!") == "E062906"


def test_a_tenants_own_policy_holds_its_members(server: LiveServer) -> None:
    own = another_project(server)
    client = own.client(management=True)
    tenant_id = client.mgmt.tenant.create("Strict")["id"]
    client.mgmt.password.configure_settings(tenant_id, {"minLength": 30})
    assert client.mgmt.password.get_settings(tenant_id)["minLength"] == 30
    assert client.mgmt.password.get_settings()["minLength"] == 8
    member = unique_email("member")
    client.mgmt.user.create(member, email=member, user_tenants=[])
    client.mgmt.user.add_tenant(member, tenant_id)
    assert refused_code(client.mgmt.user.set_active_password, member, GOOD) == "E062902"  # 28 characters
    client.mgmt.user.set_active_password(member, GOOD + " and more")
    outsider = unique_email("outsider")
    client.mgmt.user.create(outsider, email=outsider)
    client.mgmt.user.set_active_password(outsider, "nine char")


def _refusal(call: Callable[..., Any], *args: Any) -> Any:
    with pytest.raises(AuthException) as refused:
        call(*args)
    return refused.value.error_message


def test_the_lock_after_wrong_tries(server: LiveServer) -> None:
    own = another_project(server)
    client = own.client(management=True)
    client.mgmt.password.configure_settings("", {"lock": True, "lockAttempts": 3})
    login_id, _ = signed_up(own)
    assert [refused_code(client.password.sign_in, login_id, f"wrong try {i}") for i in range(3)] == [
        "E062901",
        "E062901",
        "E062903",
    ]
    assert refused_code(client.password.sign_in, login_id, GOOD) == "E062903"  # even the right one
    client.mgmt.user.set_active_password(login_id, OTHER)  # a new password unlocks
    client.password.sign_in(login_id, OTHER)


def test_reuse_of_recent_passwords_is_refused(server: LiveServer) -> None:
    own = another_project(server)
    client = own.client(management=True)
    client.mgmt.password.configure_settings("", {"reuse": True, "reuseAmount": 2})
    login_id, answer = signed_up(own)
    refresh = answer["refreshSessionToken"]["jwt"]
    client.password.update(login_id, OTHER, refresh)
    assert "used recently" in str(_refusal(client.password.update, login_id, GOOD, refresh))
    assert "used recently" in str(_refusal(client.password.update, login_id, OTHER, refresh))
    client.password.update(login_id, "a third good password", refresh)
    client.password.update(login_id, GOOD, refresh)  # two back: allowed again


def test_parallel_wrong_guesses_cannot_exceed_the_budget(server: LiveServer) -> None:
    own = another_project(server, relaxed(max_failed_verifications=5))
    login_id, _ = signed_up(own)
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda i: sign_in(own, login_id, f"guess number {i}"), range(12)))
    codes = [answer.json()["errorCode"] for answer in answers]
    assert codes.count("E062901") <= 5  # compared at most as often as the budget allows
    assert set(codes) <= {"E062901", "E061103", "E130429"}
    events = stored_rows(own, "SELECT COUNT(*) AS n FROM login_failure_events WHERE login_id = :l", {"l": login_id})
    assert events[0]["n"] <= 5
    assert sign_in(own, login_id, GOOD).status_code in (401, 429)  # the budget is spent for the day


def test_an_imported_bcrypt_hash_signs_in_and_is_rehashed(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("imported")
    hashed = bcrypt.hashpw(GOOD.encode(), bcrypt.gensalt(4)).decode()
    created = client.mgmt.user.invite_batch(
        [UserObj(login_id, email=login_id, password=UserPassword(hashed=UserPasswordBcrypt(hashed)))],
        send_mail=False,
    )
    user_id = created["createdUsers"][0]["userId"]
    assert created["createdUsers"][0]["password"] is True
    assert refused_code(client.password.sign_in, login_id, "not it at all") == "E062901"
    assert stored_rows(server, "SELECT hash FROM passwords WHERE user_id = :u", {"u": user_id})[0]["hash"] == hashed
    client.password.sign_in(login_id, GOOD)
    rehashed = stored_rows(server, "SELECT hash FROM passwords WHERE user_id = :u", {"u": user_id})[0]["hash"]
    assert rehashed.startswith("$argon2id$")
    client.password.sign_in(login_id, GOOD)


def test_a_malformed_imported_hash_is_reported_and_nothing_created(server: LiveServer) -> None:
    login_id = unique_email("badhash")
    response = mgmt_request(
        server,
        "POST",
        "/v1/mgmt/user/create/batch",
        {"users": [{"loginId": login_id, "hashedPassword": {"bcrypt": {"hash": "not a bcrypt hash"}}}]},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "E011004"
    assert stored_rows(server, "SELECT 1 FROM login_ids WHERE login_id = :l", {"l": login_id}) == []


def test_with_hiding_a_wrong_password_and_an_unknown_user_answer_alike_in_comparable_time(
    server: LiveServer,
) -> None:
    own = another_project(server, relaxed(hide_login_existence=True))
    knowns = [signed_up(own)[0] for _ in range(12)]  # one wrong try each: no back-off waits
    client = own.client(management=True)
    no_password = unique_email("nopassword")
    client.mgmt.user.create(no_password, email=no_password)

    def timed(who: str) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        answer = sign_in(own, who, "a wrong password here")
        return time.perf_counter() - started, {"status": answer.status_code, **answer.json()}

    known = [timed(login_id) for login_id in knowns]
    unknown = [timed(unique_email("ghost")) for _ in range(12)]
    without = [timed(no_password) for _ in range(5)]
    bodies = {(a["status"], a["errorCode"], a["errorMessage"]) for _, a in known + unknown + without}
    assert bodies == {(401, "E062901", "Invalid login ID or password")}
    known_median = statistics.median(t for t, _ in known)
    unknown_median = statistics.median(t for t, _ in unknown)
    # The same work (an argon2id verify) either way: within a factor that a skipped hash
    # (tens of ms against about one) could never meet.
    assert 0.6 < unknown_median / known_median < 1.6, (known_median, unknown_median)


def test_reset_by_enchanted_link_when_the_project_says_so(server: LiveServer) -> None:
    own = another_project(server, relaxed(password_reset_method="enchantedlink"))
    client = own.client(management=True)
    login_id = unique_email("enchanted")
    client.mgmt.user.create(login_id, email=login_id, verified_email=True)
    client.mgmt.user.set_active_password(login_id, GOOD)
    sent = client.password.send_reset(login_id, "http://localhost/reset")
    assert sent["resetMethod"] == "enchantedlink"
    client.enchantedlink.verify(own.inbox.token_for(login_id, label=sent["linkId"]))
    session = client.enchantedlink.get_session(sent["pendingRef"])
    client.password.update(login_id, OTHER, session["refreshSessionToken"]["jwt"])
    client.password.sign_in(login_id, OTHER)


def test_wrong_passwords_from_one_ip_are_counted_across_login_ids(server: LiveServer) -> None:
    # a budget of 8 per IP: back-off waits begin after a quarter of it (2 wrong passwords)
    own = another_project(server, relaxed(max_failed_passwords_per_ip=8))
    victims = [signed_up(own)[0] for _ in range(3)]
    codes = [sign_in(own, login_id, "a wrong guess here").json()["errorCode"] for login_id in victims]
    # each login ID guessed once (its own budget untouched): the IP's count refuses the third
    assert codes == ["E062901", "E062901", "E130429"]
    assert sign_in(own, victims[2], GOOD).status_code == 429


def test_hiding_answers_a_reset_for_an_unknown_email_like_a_known_one(server: LiveServer) -> None:
    own = another_project(server, relaxed(hide_login_existence=True))
    unknown = unique_email("ghost")
    sent = own.client().password.send_reset(unknown, "http://localhost/reset")
    assert sent == {"resetMethod": "magiclink", "maskedEmail": unknown[0] + "***@" + unknown.split("@")[1]}
    time.sleep(0.3)
    assert own.inbox.count(unknown) == 0  # nothing is sent to an address no user has


def test_a_hash_made_with_other_parameters_is_rehashed_at_sign_in(tmp_path: Path) -> None:
    with database_url("sqlite", tmp_path) as url:
        with live_server(url, tmp_path, password_hash_memory_kib=8192, password_hash_time_cost=1) as before:
            login_id, answer = signed_up(before)
            project_id, user_id = before.project_id, answer["user"]["userId"]
            assert stored_rows(before, HASH, {"u": user_id})[0]["hash"].startswith("$argon2id$v=19$m=8192,t=1,p=1$")
        with live_server(url, tmp_path) as restarted:  # the default parameters now
            after = dataclasses.replace(restarted, project_id=project_id)
            after.client().password.sign_in(login_id, GOOD)
            rehashed = stored_rows(after, HASH, {"u": user_id})[0]["hash"]
            assert rehashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
            after.client().password.sign_in(login_id, GOOD)
