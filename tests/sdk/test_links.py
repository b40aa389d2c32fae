"""Magic, enchanted and embedded links end to end with the ``descope`` SDK.

Links are read out of the message the sender recorded, as a user would click them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest
from descope import AuthException, DeliveryMethod, DescopeClient

from tests.support import DEFAULT_REDIRECT, LiveServer, error_code, live_server, token_of, unique_email, unique_phone

LINK_METHODS = {"email": DeliveryMethod.EMAIL, "sms": DeliveryMethod.SMS, "whatsapp": DeliveryMethod.WHATSAPP}
APP = "http://localhost:3000/callback"


def address_for(method: str) -> str:
    return unique_email() if method == "email" else unique_phone()


@pytest.mark.parametrize("method", list(LINK_METHODS))
def test_magic_link_sign_up_sign_in_and_sign_up_or_in(server: LiveServer, method: str) -> None:
    client = server.client()
    login_id = address_for(method)
    masked = client.magiclink.sign_up(LINK_METHODS[method], login_id, APP, {"name": "Linus"})
    assert login_id[-4:] in masked
    link = server.inbox.links_for(login_id)[""]
    assert link.startswith(APP + "?t=")
    created = client.magiclink.verify(token_of(link))
    assert created["firstSeen"] is True
    assert created["user"]["name"] == "Linus"
    assert client.validate_session(created["sessionToken"]["jwt"])["userId"] == created["user"]["userId"]

    client.magiclink.sign_in(LINK_METHODS[method], login_id, APP)
    signed_in = client.magiclink.verify(server.inbox.token_for(login_id, after=1))
    assert signed_in["firstSeen"] is False

    client.magiclink.sign_up_or_in(LINK_METHODS[method], login_id, APP)
    again = client.magiclink.verify(server.inbox.token_for(login_id, after=2))
    assert again["user"]["userId"] == created["user"]["userId"]


def test_magic_link_sign_up_or_in_creates_new_user(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, "")  # empty URI → project default
    link = server.inbox.links_for(login_id)[""]
    assert link.startswith(DEFAULT_REDIRECT + "?t=")
    assert client.magiclink.verify(token_of(link))["firstSeen"] is True


def test_magic_links_are_single_use_do_not_void_each_other_and_expire(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, APP)
    first = server.inbox.token_for(login_id)
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, APP)
    second = server.inbox.token_for(login_id, after=1)
    client.magiclink.verify(first)  # an earlier link still works after a new one was sent
    with pytest.raises(AuthException) as reused:
        client.magiclink.verify(first)
    assert error_code(reused.value) == "E062501"
    server.clock.advance(601)
    try:
        with pytest.raises(AuthException) as expired:
            client.magiclink.verify(second)
    finally:
        server.clock.advance(-601)
    assert error_code(expired.value) == "E062501"


def test_fetching_the_link_never_consumes_it(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, APP)
    token = server.inbox.token_for(login_id)
    for method in ("GET", "HEAD"):  # what a mail scanner does
        response = httpx.request(method, f"{server.base_url}/v1/auth/magiclink/verify?t={token}")
        assert response.status_code == 405
    assert client.magiclink.verify(token)["user"]["loginIds"] == [login_id]


@pytest.mark.parametrize(
    "uri",
    ["https://evil.com/", "//evil.com", "http://localhost.evil.com/", "javascript:alert(1)", "https://a.b@evil.com/"],
)
def test_unapproved_redirects_are_refused_and_nothing_is_sent(server: LiveServer, uri: str) -> None:
    login_id = unique_email()
    with pytest.raises(AuthException) as refused:
        server.client().magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, uri)
    assert refused.value.status_code == 400
    time.sleep(0.2)
    assert server.inbox.count(login_id) == 0


def test_magic_link_update_email_and_phone(server: LiveServer) -> None:
    client = server.client()
    login_id, new_email, new_phone = unique_email("old"), unique_email("new"), unique_phone()
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, APP)
    session = client.magiclink.verify(server.inbox.token_for(login_id))
    refresh = session["refreshSessionToken"]["jwt"]

    assert client.magiclink.update_user_email(login_id, new_email, refresh, add_to_login_ids=True)
    updated = client.magiclink.verify(server.inbox.token_for(new_email))
    assert updated["user"]["email"] == new_email
    assert updated["user"]["loginIds"] == [login_id, new_email]

    assert client.magiclink.update_user_phone(DeliveryMethod.SMS, login_id, new_phone, refresh).endswith(new_phone[-4:])
    with_phone = client.magiclink.verify(server.inbox.token_for(new_phone))
    assert with_phone["user"]["phone"] == new_phone
    assert with_phone["user"]["verifiedPhone"] is True

    # Go's path carries the method; whatsapp delivery works there.
    other_phone = unique_phone()
    response = httpx.post(
        f"{server.base_url}/v1/auth/magiclink/update/phone/whatsapp",
        json={"loginId": login_id, "phone": other_phone, "URI": APP},
        headers={"Authorization": f"Bearer {server.project_id}:{refresh}"},
    )
    assert response.json() == {"maskedPhone": response.json()["maskedPhone"]}
    assert server.inbox.wait_for(other_phone)["channel"] == "whatsapp"


def test_voice_cannot_carry_a_link(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/auth/magiclink/signup-in/voice",
        json={"loginId": unique_phone(), "URI": APP},
        headers={"Authorization": f"Bearer {server.project_id}"},
    )
    assert response.status_code == 400


def _right_and_wrong(server: LiveServer, to: str, link_id: str, after: int = 0) -> tuple[str, list[str]]:
    links = server.inbox.links_for(to, after=after)
    assert len(links) == 3
    assert link_id in links
    return token_of(links[link_id]), [token_of(url) for label, url in links.items() if label != link_id]


def test_enchanted_link_cross_device_flow(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    started = client.enchantedlink.sign_up_or_in(login_id, APP)
    assert set(started) >= {"linkId", "pendingRef", "maskedEmail"}
    assert len(started["linkId"]) == 2

    with pytest.raises(AuthException) as pending:
        client.enchantedlink.get_session(started["pendingRef"])
    assert pending.value.status_code == 401
    assert error_code(pending.value) == "E062503"

    right, _ = _right_and_wrong(server, login_id, started["linkId"])
    client.enchantedlink.verify(right)
    session = client.enchantedlink.get_session(started["pendingRef"])
    assert session["firstSeen"] is True
    assert client.validate_session(session["sessionToken"]["jwt"])["userId"] == session["user"]["userId"]

    with pytest.raises(AuthException) as gone:  # the session is handed out exactly once
        client.enchantedlink.get_session(started["pendingRef"])
    assert gone.value.status_code == 400


def test_enchanted_wrong_label_voids_the_set(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email()
    started = client.enchantedlink.sign_up_or_in(login_id, APP)
    right, wrong = _right_and_wrong(server, login_id, started["linkId"])
    with pytest.raises(AuthException) as voided:
        client.enchantedlink.verify(wrong[0])
    assert error_code(voided.value) == "E062501"
    with pytest.raises(AuthException) as dead:  # the right link died with the set
        client.enchantedlink.verify(right)
    assert error_code(dead.value) == "E062501"
    with pytest.raises(AuthException) as no_session:
        client.enchantedlink.get_session(started["pendingRef"])
    assert no_session.value.status_code == 400
    assert error_code(no_session.value) == "E062504"


def test_enchanted_sms_carries_only_the_right_link(server: LiveServer) -> None:
    client = server.client()
    phone = unique_phone()
    started = client.enchantedlink.sign_up_or_in_with_phone(phone, APP)
    assert "maskedPhone" in started
    links = server.inbox.links_for(phone)
    assert len(links) == 1  # no decoys by SMS, so nothing to choose: the one link is the right one
    client.enchantedlink.verify(token_of(next(iter(links.values()))))
    assert client.enchantedlink.get_session(started["pendingRef"])["user"]["loginIds"] == [phone]


def test_sdk_polling_loop_gets_the_session(server: LiveServer) -> None:
    """The polling loop from the SDK's README: keep polling while the answer is 401."""
    client = server.client()
    login_id = unique_email()
    started = client.enchantedlink.sign_up_or_in(login_id, APP)
    result: dict[str, Any] = {}

    def poll() -> None:
        for _ in range(100):
            try:
                result["session"] = client.enchantedlink.get_session(started["pendingRef"])
                return
            except AuthException as exc:
                if exc.status_code != 401:
                    result["error"] = exc
                    return
                time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.3)
    right, _ = _right_and_wrong(server, login_id, started["linkId"])
    client.enchantedlink.verify(right)
    poller.join(timeout=30)
    assert "error" not in result
    assert result["session"]["user"]["loginIds"] == [login_id]


def test_enchanted_link_update_email_and_phone(server: LiveServer) -> None:
    client = server.client()
    login_id, new_email, new_phone = unique_email(), unique_email("new"), unique_phone()
    client.enchantedlink.sign_up_or_in(login_id, APP)
    first = client.enchantedlink.sign_up_or_in(login_id, APP)
    client.enchantedlink.verify(_right_and_wrong(server, login_id, first["linkId"], after=1)[0])
    refresh = client.enchantedlink.get_session(first["pendingRef"])["refreshSessionToken"]["jwt"]

    started = client.enchantedlink.update_user_email(login_id, new_email, refresh)
    client.enchantedlink.verify(_right_and_wrong(server, new_email, started["linkId"])[0])
    assert client.enchantedlink.get_session(started["pendingRef"])["user"]["email"] == new_email

    by_phone = client.enchantedlink.update_user_phone(login_id, new_phone, refresh)
    client.enchantedlink.verify(server.inbox.token_for(new_phone))
    assert client.enchantedlink.get_session(by_phone["pendingRef"])["user"]["phone"] == new_phone


def test_test_user_link_helpers_and_embedded_links(server: LiveServer) -> None:
    client = server.client(management=True)
    login_id = unique_email("tester")
    client.mgmt.user.create_test_user(login_id, email=login_id)

    generated = client.mgmt.user.generate_magic_link_for_test_user(DeliveryMethod.EMAIL, login_id, APP)
    assert generated["link"].startswith(APP + "?t=")
    assert client.magiclink.verify(token_of(generated["link"]))["user"]["loginIds"] == [login_id]

    enchanted = client.mgmt.user.generate_enchanted_link_for_test_user(login_id, APP)
    client.enchantedlink.verify(token_of(enchanted["link"]))
    assert client.enchantedlink.get_session(enchanted["pendingRef"])["user"]["test"] is True
    assert server.inbox.count(login_id) == 0  # nothing was sent

    regular = unique_email("regular")
    client.mgmt.user.create(regular, email=regular)
    with pytest.raises(AuthException):
        client.mgmt.user.generate_magic_link_for_test_user(DeliveryMethod.EMAIL, regular, APP)
    token = client.mgmt.user.generate_embedded_link(regular, {"role": "viewer"})
    embedded = client.magiclink.verify(token)
    assert embedded["sessionToken"]["role"] == "viewer"


def test_embedded_sign_up_link(server: LiveServer) -> None:
    from descope.management.user import CreateUserObj  # type: ignore[attr-defined]

    client = server.client(management=True)
    login_id = unique_email("embedded")
    user = CreateUserObj(email=login_id, given_name="Em", family_name="Bed")
    token = client.mgmt.user.generate_sign_up_embedded_link(login_id, user, email_verified=True)
    session = client.magiclink.verify(token)
    assert session["user"]["givenName"] == "Em"
    assert session["user"]["verifiedEmail"] is True


def test_hundred_parallel_verifies_of_one_token_make_one_session(server: LiveServer) -> None:
    client = server.client()
    login_id = unique_email("race")
    client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, APP)
    token = server.inbox.token_for(login_id)

    async def verify_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            headers = {"Authorization": f"Bearer {server.project_id}"}
            return await asyncio.gather(
                *(http.post("/v1/auth/magiclink/verify", json={"token": token}, headers=headers) for _ in range(100))
            )

    statuses = [response.status_code for response in asyncio.run(verify_all())]
    assert statuses.count(200) == 1
    assert statuses.count(401) == 99


def test_enchanted_link_works_across_server_instances(server: LiveServer) -> None:
    """Start and poll on one instance, click on another: the state lives in the database."""
    database = server.settings.resolved_database_url()
    # The other instance sends nothing: otherwise its dispatcher may win the message and
    # write it to its own file, where this test does not look.
    with live_server(database, server.settings.data_dir, delivery_file_name="other.jsonl", dispatcher=False) as other:
        first = server.client()
        second = DescopeClient(project_id=server.project_id, base_url=other.base_url)
        login_id = unique_email("roaming")
        started = first.enchantedlink.sign_up_or_in(login_id, APP)
        right, _ = _right_and_wrong(server, login_id, started["linkId"])
        second.enchantedlink.verify(right)
        assert first.enchantedlink.get_session(started["pendingRef"])["user"]["loginIds"] == [login_id]
