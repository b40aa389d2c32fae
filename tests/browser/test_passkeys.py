"""Passkeys in a real browser: @descope/web-js-sdk's ``webauthn`` calls against passgate,
with a virtual authenticator in headless Chromium as the user's device.

Sign up with a passkey, sign out and in again with it; sign up or in (the start's ``create``
picks the finish route); add a passkey to a user who signed in by an email code; sign in
without a login ID (a discoverable credential, by the SDK's ``get`` and by conditional UI,
which headless Chromium's virtual authenticator answers); and the two ways a ceremony must
fail: a page on an origin the project does not allow, and an RP ID that is not the page's.
Every session is checked by the Python SDK against ``/v2/keys``. The pages run on
``http://localhost:<port>`` (a secure context, which WebAuthn needs, and an origin a
project allows out of the box).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Response

from tests.browser.authenticator import VirtualAuthenticator
from tests.browser.chromium import OTHER_HOST
from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage, SdkPage, api_url
from tests.support import LiveServer, refused_code, unique_email

WEBAUTHN = "/v1/auth/webauthn"


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    """A project allowing its default origins (http://localhost, any port) and RP ID (the page's host)."""
    return new_project()


def with_device(page: SdkPage) -> VirtualAuthenticator:
    return VirtualAuthenticator.attach(page.page)


def page_origin(page: SdkPage) -> str:
    """``window.location.origin``: what the SDK's own ceremonies send as ``origin``."""
    return str(page.page.evaluate("() => location.origin"))


def session_claims(project: LiveServer, signed_in: dict[str, Any]) -> dict[str, Any]:
    """The session JWT's claims, as a backend checks them (the Python SDK, keys from /v2/keys)."""
    return dict(project.client().validate_session(signed_in["sessionJwt"]))


def stored_user(project: LiveServer, login_id: str) -> dict[str, Any]:
    """The user as management loads it."""
    return dict(project.client(management=True).mgmt.user.load(login_id)["user"])


def no_user(project: LiveServer, login_id: str) -> bool:
    """Whether management finds no user for ``login_id``."""
    return refused_code(project.client(management=True).mgmt.user.load, login_id) == "E112102"


class WebAuthnTraffic:
    """What the page sent to passgate's WebAuthn routes, and what they answered, in order."""

    def __init__(self, page: SdkPage) -> None:
        self.prefix = api_url(page.server) + WEBAUTHN
        self.answers: list[Response] = []

    def record(self, response: Response) -> None:
        if response.request.method == "POST" and response.url.startswith(self.prefix):
            self.answers.append(response)

    def routes(self) -> list[str]:
        return [urlsplit(answer.url).path.removeprefix(WEBAUTHN) for answer in self.answers]

    def body(self, route: str) -> Any:
        """The JSON answer of the one call to ``route``."""
        (answer,) = [answer for answer in self.answers if answer.url.startswith(self.prefix + route)]
        return answer.json()


@contextmanager
def webauthn_traffic(page: SdkPage) -> Iterator[WebAuthnTraffic]:
    """The page's WebAuthn calls made inside the block (every answer has arrived when it ends)."""
    traffic = WebAuthnTraffic(page)
    page.page.on("response", traffic.record)
    try:
        yield traffic
    finally:
        page.page.remove_listener("response", traffic.record)


def test_sign_up_then_sign_out_and_sign_in_with_the_passkey(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    device = with_device(page)
    email = unique_email("passkey")

    signed_up = page.call("webauthn.signUp", email, "Pat Key").expect_ok()
    assert signed_up["user"]["loginIds"] == [email]
    assert signed_up["user"]["name"] == "Pat Key"
    assert "webauthn" in session_claims(project, signed_up)["amr"]
    created = device.only_credential()
    assert (created.resident, created.rp_id) == (True, "localhost")  # discoverable, for the page's host
    assert created.user_handle  # the user.id passgate gave the authenticator

    page.call("logout").expect_ok()
    assert "DSR" not in page.storage()

    signed_in = page.call("webauthn.signIn", email).expect_ok()
    assert signed_in["user"]["userId"] == signed_up["user"]["userId"]
    claims = session_claims(project, signed_in)
    assert claims["sub"] == signed_up["user"]["userId"]
    assert "webauthn" in claims["amr"]
    assert page.storage()["DSR"] == signed_in["refreshJwt"]
    assert page.call("me").expect_ok()["webauthn"] is True
    used = device.only_credential()
    assert used.id == created.id
    assert used.sign_count > created.sign_count  # the sign-in was a new signature by the same key


def test_sign_up_or_in_creates_then_signs_in(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    device = with_device(page)
    email = unique_email("either")

    with webauthn_traffic(page) as first:
        signed_up = page.call("webauthn.signUpOrIn", email).expect_ok()
    assert first.routes() == ["/signup-in/start", "/signup/finish"]
    assert first.body("/signup-in/start")["create"] is True
    created = device.only_credential()

    page.call("logout").expect_ok()
    with webauthn_traffic(page) as second:
        signed_in = page.call("webauthn.signUpOrIn", email).expect_ok()
    assert second.routes() == ["/signup-in/start", "/signin/finish"]
    assert second.body("/signup-in/start")["create"] is False
    assert signed_in["user"]["userId"] == signed_up["user"]["userId"]
    assert "webauthn" in session_claims(project, signed_in)["amr"]
    assert device.only_credential().id == created.id  # signed in with it, no second passkey made


def test_a_user_signed_in_by_email_code_adds_a_passkey_then_signs_in_with_it(
    open_page: OpenPage, project: LiveServer
) -> None:
    page = open_page(project)
    device = with_device(page)
    email = unique_email("adds")
    by_code = page.sign_in(email)
    assert by_code["user"]["webauthn"] is False
    assert device.credentials() == []

    with webauthn_traffic(page) as traffic:
        added = page.call("webauthn.update", email, by_code["refreshJwt"]).expect_ok()
    assert traffic.routes() == ["/update/start", "/update/finish"]
    assert not added.get("jwt")  # adding a device opens no session (no mfa asked)
    assert device.only_credential().rp_id == "localhost"
    assert stored_user(project, email)["webauthn"] is True

    page.call("logout").expect_ok()
    signed_in = page.call("webauthn.signIn", email).expect_ok()
    assert signed_in["user"]["userId"] == by_code["user"]["userId"]
    assert session_claims(project, signed_in)["amr"] == ["webauthn"]  # the passkey alone, not the code


@pytest.mark.parametrize("helper", ["get", "conditional"])
def test_sign_in_without_a_login_id_by_a_discoverable_passkey(
    helper: str, open_page: OpenPage, project: LiveServer
) -> None:
    """``signIn.start("")``, the authenticator picks the credential (``helpers.get``, or
    ``helpers.conditional`` as passkey autofill does), then ``signIn.finish``."""
    page = open_page(project)
    device = with_device(page)
    signed_up = page.call("webauthn.signUp", unique_email("nameless"), "No Name").expect_ok()
    page.call("logout").expect_ok()
    assert page.page.evaluate("() => PublicKeyCredential.isConditionalMediationAvailable()") is True

    started = page.call("webauthn.signIn.start", "", page_origin(page)).expect_ok()
    requested = json.loads(started["options"])["publicKey"]
    assert requested.get("allowCredentials", []) == []  # any credential of this RP: the device chooses
    assertion = page.page.evaluate(
        "([helper, options]) => sdk.webauthn.helpers[helper](options, new AbortController())",
        [helper, started["options"]],
    )
    assert json.loads(assertion)["id"] == device.only_credential().id
    signed_in = page.call("webauthn.signIn.finish", started["transactionId"], assertion).expect_ok()
    assert signed_in["user"]["userId"] == signed_up["user"]["userId"]
    assert "webauthn" in session_claims(project, signed_in)["amr"]
    assert page.storage()["DSR"] == signed_in["refreshJwt"]


def test_a_page_on_a_disallowed_origin_cannot_start_a_passkey(open_page: OpenPage, project: LiveServer) -> None:
    """The browser stops it at the preflight (passgate grants the origin no CORS access), and
    an allowed page that names the disallowed origin in its start gets passgate's refusal."""
    elsewhere = open_page(project, host=OTHER_HOST)
    email = unique_email("elsewhere")
    blocked = elsewhere.call("webauthn.signUp", email, "Else Where")
    assert blocked.thrown == "TypeError: Failed to fetch", blocked  # no answer the page may read

    page = open_page(project)
    device = with_device(page)
    foreign_origin = page_origin(elsewhere)
    refused = page.call("webauthn.signUp.start", email, foreign_origin, "Else Where")
    assert (refused.ok, refused.code) == (False, 400), refused
    assert refused.error["errorCode"].startswith("E"), refused
    refused = page.call("webauthn.signIn.start", "", foreign_origin)
    assert (refused.ok, refused.code) == (False, 400), refused
    assert no_user(project, email)
    assert device.credentials() == []


def test_an_rp_id_that_is_not_the_pages_host_makes_no_passkey(open_page: OpenPage, new_project: NewProject) -> None:
    project = new_project(webauthn_rp_id="example.com")
    page = open_page(project)
    device = with_device(page)
    email = unique_email("rpid")

    refused = page.call("webauthn.signUp", email, "Rp Id")
    assert (refused.ok, refused.code) == (False, 400), refused  # passgate refuses the start
    assert refused.error["errorCode"].startswith("E"), refused
    assert no_user(project, email)
    assert device.credentials() == []
