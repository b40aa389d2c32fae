"""Invitations through the SDK (``invite``, ``invite_batch``) really arrive: by email over a
real SMTP relay (aiosmtpd) and by SMS through a Twilio-speaking fake, with the invite URL."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from descope import UserObj

from tests.conftest import BACKENDS
from tests.fakes import Mailbox, TwilioFake, smtp_server, twilio_provider
from tests.support import (
    LiveServer,
    another_project,
    database_url,
    live_server,
    mgmt_request,
    refused_code,
    relaxed,
    unique_email,
    unique_phone,
    wait_until,
)

INVITE_URL = "http://localhost:3000/join"


@dataclass
class Delivery:
    server: LiveServer
    mailbox: Mailbox
    twilio: TwilioFake

    def sms_to(self, phone: str, timeout: float = 10) -> str:
        """The body of the first SMS Twilio was asked to send to ``phone``."""
        wait_until(lambda: self._sms(phone), timeout)
        return self._sms(phone)[0]

    def _sms(self, phone: str) -> list[str]:
        return [r.form()["Body"] for r in self.twilio.requests if r.form().get("To") == phone]

    def nothing_sent_to(self, *addresses: str) -> bool:
        """Whether, after the dispatcher had time for a few passes, nothing went to ``addresses``."""
        time.sleep(0.5)
        mailed = {message["To"] for message in self.mailbox.messages}
        texted = {r.form().get("To") for r in self.twilio.requests}
        return not (set(addresses) & (mailed | texted))


@pytest.fixture(scope="module", params=BACKENDS)
def delivery(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Delivery]:
    """A live passgate (per backend) that mails through aiosmtpd and texts through a Twilio fake;
    its project's invitations point to ``INVITE_URL``."""
    data_dir: Path = tmp_path_factory.mktemp(f"invitations-{request.param}")
    twilio = TwilioFake()
    with contextlib.ExitStack() as stack:
        mailbox, port = stack.enter_context(smtp_server())
        twilio_url = stack.enter_context(twilio.running())
        url = stack.enter_context(database_url(str(request.param), data_dir))
        server = stack.enter_context(
            live_server(
                url,
                data_dir,
                project_settings=relaxed(invite_url=INVITE_URL),
                smtp_url=f"smtp://mailer:s3cret@127.0.0.1:{port}",
                email_from="auth@acme.test",
                providers=(twilio_provider(twilio_url),),
            )
        )
        yield Delivery(server, mailbox, twilio)


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_an_invited_user_gets_an_email_with_the_projects_invite_url(delivery: Delivery) -> None:
    login_id = unique_email("invitee")
    user = delivery.server.client(management=True).mgmt.user.invite(login_id, display_name="Ivy")["user"]
    assert user["status"] == "invited"

    message = delivery.mailbox.wait_for(login_id)
    assert message["Subject"] == "You are invited to test"
    text, html = text_and_html(message)
    assert "invited to join test" in text
    assert INVITE_URL in text
    assert f'<a href="{INVITE_URL}">' in html
    assert "expires" not in text  # an invitation names no lifetime


def test_the_requests_invite_url_and_locale_win(delivery: Delivery) -> None:
    login_id = unique_email("localized")
    url = "http://localhost:3000/welcome?team=7"
    delivery.server.client(management=True).mgmt.user.invite(login_id, invite_url=url, locale="fr")
    message = delivery.mailbox.wait_for(login_id)
    assert message["Subject"] == "Vous êtes invité sur test"
    assert url in text_and_html(message)[0]


def test_an_invitation_by_sms_only(delivery: Delivery) -> None:
    login_id, phone = unique_email("texted"), unique_phone()
    users = delivery.server.client(management=True).mgmt.user
    users.invite(login_id, phone=phone, send_mail=False, send_sms=True)
    body = delivery.sms_to(phone)
    assert "invited to join test" in body
    assert body.endswith(INVITE_URL)
    assert delivery.nothing_sent_to(login_id)


def test_an_invitation_by_email_and_sms(delivery: Delivery) -> None:
    login_id, phone = unique_email("both"), unique_phone()
    delivery.server.client(management=True).mgmt.user.invite(login_id, phone=phone, send_sms=True)
    assert INVITE_URL in text_and_html(delivery.mailbox.wait_for(login_id))[0]
    assert INVITE_URL in delivery.sms_to(phone)


def test_a_user_without_email_is_invited_by_sms(delivery: Delivery) -> None:
    phone = unique_phone()
    delivery.server.client(management=True).mgmt.user.invite(phone)  # the login ID is the phone
    assert INVITE_URL in delivery.sms_to(phone)


def test_invite_batch_invites_each_user_and_reports_who_cannot_be(delivery: Delivery) -> None:
    first, second = unique_email("batch-a"), unique_email("batch-b")
    answer = delivery.server.client(management=True).mgmt.user.invite_batch(
        [UserObj(first), UserObj("just-a-username"), UserObj(second, email=second)],
        invite_url="http://localhost:3000/batch",
        locale="de",
    )
    assert [user["loginIds"] for user in answer["createdUsers"]] == [[first], [second]]
    assert [failed["user"]["loginIds"] for failed in answer["failedUsers"]] == [["just-a-username"]]
    assert "no email address" in answer["failedUsers"][0]["failure"]
    for login_id in (first, second):
        message = delivery.mailbox.wait_for(login_id)
        assert message["Subject"] == "Ihre Einladung zu test"
        assert "http://localhost:3000/batch" in text_and_html(message)[0]


def test_refused_invitations_create_nobody_and_send_nothing(delivery: Delivery) -> None:
    users = delivery.server.client(management=True).mgmt.user
    unapproved, no_phone = unique_email("phished"), unique_email("no-phone")
    assert refused_code(users.invite, unapproved, invite_url="https://evil.example.com/join") == "E011008"
    assert refused_code(users.invite, no_phone, send_sms=True, send_mail=False) == "E011004"
    assert refused_code(users.invite, "username-only", send_mail=True) == "E011004"
    for login_id in (unapproved, no_phone, "username-only"):
        assert refused_code(users.load, login_id) == "E112102"
    assert delivery.nothing_sent_to(unapproved, no_phone)


def test_test_users_and_switched_off_channels_get_nothing(delivery: Delivery) -> None:
    users = delivery.server.client(management=True).mgmt.user
    tester, quiet = unique_email("tester"), unique_email("quiet")
    assert users.invite(tester, test=True)["user"]["status"] == "invited"
    assert users.invite(quiet, send_mail=False, send_sms=False)["user"]["status"] == "invited"
    assert delivery.nothing_sent_to(tester, quiet)


def test_without_an_invite_url_invite_only_marks_the_user_invited(delivery: Delivery) -> None:
    project = another_project(delivery.server)  # no invite_url setting
    users = project.client(management=True).mgmt.user
    quiet = unique_email("unconfigured")
    assert users.invite(quiet)["user"]["status"] == "invited"
    assert users.invite_batch([UserObj(unique_email("imported"))])["failedUsers"] == []
    assert refused_code(users.invite, unique_email("asked"), send_mail=True) == "E011008"
    assert delivery.nothing_sent_to(quiet)


def test_an_invite_url_setting_must_be_an_approved_url(delivery: Delivery) -> None:
    patch = {"invite_url": "https://evil.example.com/join"}
    response = mgmt_request(delivery.server, "POST", "/v1/mgmt/project/settings", patch)  # passgate's own route
    assert response.status_code == 400
    assert "invite_url" in response.json()["errorMessage"]
