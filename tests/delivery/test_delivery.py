"""Real delivery: SMTP to an aiosmtpd server, Twilio's API and webhooks on loopback servers."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from descope import DeliveryMethod
from descope.common import LoginOptions

from passgate.config import ProviderConfig
from tests.fakes import Mailbox, TwilioFake, WebhookReceiver, smtp_server, twilio_provider
from tests.support import (
    LiveServer,
    database_url,
    live_server,
    passgate_cli,
    unique_email,
    unique_phone,
    wait_until,
)


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


@pytest.fixture(scope="module")
def smtp_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Mailbox]]:
    data_dir = tmp_path_factory.mktemp("smtp")
    templates = data_dir / "templates"
    templates.mkdir()
    (templates / "welcome.email_html.j2").write_text("<p>Hello {{ options.name }}, your code is {{ code }}</p>")
    (templates / "welcome.email_text.j2").write_text("Hello {{ options.name }}, your code is {{ code }}")
    (templates / "welcome.email_subject.j2").write_text("Welcome {{ options.name }}")
    with (
        smtp_server() as (mailbox, port),
        database_url("sqlite", data_dir) as url,
        live_server(
            url,
            data_dir,
            smtp_url=f"smtp://mailer:s3cret@127.0.0.1:{port}",
            email_from="auth@acme.test",
            email_from_name="Acme",
            template_dir=templates,
        ) as live,
    ):
        yield live, mailbox


def test_sign_in_email_arrives_over_smtp_and_its_code_signs_in(smtp_live: tuple[LiveServer, Mailbox]) -> None:
    live, mailbox = smtp_live
    client = live.client()
    login_id = unique_email("smtp")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    message = mailbox.wait_for(login_id)
    assert message["From"] == "Acme <auth@acme.test>"
    assert message["Subject"] == "Welcome to test"
    text, html = _parts(message)
    code = next(word for word in text.split() if word.isdigit() and len(word) == 6)
    assert f"<strong>{code}</strong>" in html
    assert (b"mailer", b"s3cret") in mailbox.logins
    session = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
    assert client.validate_session(session["sessionToken"]["jwt"])["userId"] == session["user"]["userId"]
    assert live.inbox.count(login_id) == 0  # the development sender was not used


def test_a_hung_smtp_send_is_abandoned_and_retried_with_the_same_message_id(tmp_path: Path) -> None:
    mailbox = Mailbox(answer_first=0)  # holds every answer until released
    with (
        smtp_server(mailbox) as (_, port),
        database_url("sqlite", tmp_path) as url,
        live_server(
            url,
            tmp_path,
            smtp_url=f"smtp://127.0.0.1:{port}",
            email_from="auth@acme.test",
            outbox_send_timeout_seconds=0.5,
            outbox_retry_base_seconds=0.05,
        ) as live,
    ):
        login_id = unique_email("hung")
        live.client().otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        wait_until(lambda: len(mailbox.messages) >= 2)  # the first send was given up on, then retried
        mailbox.release()
        wait_until(lambda: len(_listed(live, "sent")) == 1)
        sent = _listed(live, "sent")[0]
    first, second = mailbox.messages[:2]
    assert first["Message-ID"] == second["Message-ID"] == f"<{sent['id']}@acme.test>"
    assert sent["attempts"] >= 2


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "Votre code de connexion test"),
        ("es-MX", "Tu código de inicio"),
        ("pt-BR", "Seu código de acesso"),
        ("de", "Anmeldecode"),
    ],
)
def test_locale_chooses_the_language(smtp_live: tuple[LiveServer, Mailbox], locale: str, expected: str) -> None:
    live, mailbox = smtp_live
    client = live.client()
    login_id = unique_email(f"locale-{locale.lower()}")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, _code(mailbox.wait_for(login_id)))
    mailbox.messages.clear()
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, LoginOptions(locale=locale))
    assert expected in mailbox.wait_for(login_id)["Subject"]


def _code(message: EmailMessage) -> str:
    text, _ = _parts(message)
    return next(word for word in text.split() if word.isdigit() and len(word) == 6)


def test_template_options_render_and_are_escaped_in_html(smtp_live: tuple[LiveServer, Mailbox]) -> None:
    live, mailbox = smtp_live
    client = live.client()
    login_id = unique_email("templated")
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, _code(mailbox.wait_for(login_id)))
    mailbox.messages.clear()
    options = LoginOptions(template_id="welcome", template_options={"name": "<script>x</script> Ada"})
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id, options)
    message = mailbox.wait_for(login_id)
    text, html = _parts(message)
    assert message["Subject"] == "Welcome <script>x</script> Ada"  # plain text, one header line
    assert "Hello <script>x</script> Ada" in text
    assert "&lt;script&gt;x&lt;/script&gt; Ada" in html
    assert "<script>" not in html


# --- Twilio ----------------------------------------------------------------------------------
@contextmanager
def twilio_live(tmp_path: Path, *fakes: TwilioFake, **overrides: Any) -> Iterator[tuple[LiveServer, list[str]]]:
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(fake.running()) for fake in fakes]
        providers = tuple(twilio_provider(url, f"twilio-{i}") for i, url in enumerate(urls))
        url = stack.enter_context(database_url("sqlite", tmp_path))
        live = stack.enter_context(
            live_server(url, tmp_path, providers=providers, outbox_retry_base_seconds=0.05, **overrides)
        )
        yield live, urls


def test_twilio_sms_voice_and_whatsapp_requests(tmp_path: Path) -> None:
    fake = TwilioFake()
    with twilio_live(tmp_path, fake) as (live, _):
        client = live.client()
        numbers = {}
        for method in (DeliveryMethod.SMS, DeliveryMethod.VOICE, DeliveryMethod.WHATSAPP):
            numbers[method] = unique_phone()
            client.otp.sign_up_or_in(method, numbers[method])
        wait_until(lambda: len(fake.requests) >= 3)

    by_to = {r.form()["To"]: r for r in fake.requests}
    sms = by_to[numbers[DeliveryMethod.SMS]]
    assert sms.path == f"/2010-04-01/Accounts/{TwilioFake.SID}/Messages.json"
    assert sms.basic_auth() == (TwilioFake.SID, TwilioFake.TOKEN)
    assert sms.form()["From"] == "+14155550100"
    assert "sign-up code" in sms.form()["Body"]

    voice = by_to[numbers[DeliveryMethod.VOICE]]
    assert voice.path.endswith("/Calls.json")
    twiml = voice.form()["Twiml"]
    assert twiml.startswith("<Response><Say>")
    spaced = [chunk for chunk in twiml.split(". ") if chunk.count(" ") >= 5]
    assert twiml.count(spaced[0].split(" is ")[-1]) == 2  # the spaced code, read out twice

    whatsapp = by_to[f"whatsapp:{numbers[DeliveryMethod.WHATSAPP]}"]
    assert whatsapp.form()["From"] == "whatsapp:+14155550199"


def test_twilio_5xx_is_retried_until_delivered(tmp_path: Path) -> None:
    fake = TwilioFake(statuses=[503, 500])
    with twilio_live(tmp_path, fake) as (live, _):
        phone = unique_phone()
        live.client().otp.sign_up_or_in(DeliveryMethod.SMS, phone)
        wait_until(lambda: len(fake.requests) >= 3)
        time.sleep(0.2)
        sent = _listed(live, "sent")
    assert [r.form()["To"] for r in fake.requests] == [phone] * 3
    # Every attempt names the message, so a gateway can tell a retry from a new message.
    assert [r.headers["idempotency-key"] for r in fake.requests] == [sent[0]["id"]] * 3


def _listed(live: LiveServer, state: str) -> list[dict[str, Any]]:
    """``passgate outbox list --state STATE --json`` over the live server's database."""
    database = live.settings.resolved_database_url()
    listed = passgate_cli(live.settings.data_dir, database, "outbox", "list", "--state", state, "--json").stdout
    return list(json.loads(listed))


def test_twilio_4xx_fails_the_message_with_the_reason(tmp_path: Path) -> None:
    fake = TwilioFake(statuses=[400])
    with twilio_live(tmp_path, fake) as (live, _):
        live.client().otp.sign_up_or_in(DeliveryMethod.SMS, unique_phone())
        wait_until(lambda: len(fake.requests) >= 1)
        time.sleep(0.3)
        failed = json.loads(
            passgate_cli(
                tmp_path, live.settings.resolved_database_url(), "outbox", "list", "--state", "failed", "--json"
            ).stdout
        )
    assert len(fake.requests) == 1  # not retried
    assert len(failed) == 1
    assert "Twilio 400" in failed[0]["lastError"]


def test_first_provider_down_second_delivers(tmp_path: Path) -> None:
    down, up = TwilioFake(statuses=[503] * 50), TwilioFake()
    with twilio_live(tmp_path, down, up) as (live, _):
        phone = unique_phone()
        live.client().otp.sign_up_or_in(DeliveryMethod.SMS, phone)
        wait_until(lambda: len(up.requests) >= 1)
    assert len(down.requests) == 1
    assert up.requests[0].form()["To"] == phone


def test_failed_message_can_be_redriven_from_the_cli(tmp_path: Path) -> None:
    fake = TwilioFake(statuses=[400])
    with twilio_live(tmp_path, fake) as (live, _):
        database = live.settings.resolved_database_url()
        live.client().otp.sign_up_or_in(DeliveryMethod.SMS, unique_phone())
        wait_until(lambda: len(fake.requests) >= 1)
        time.sleep(0.3)
        passgate_cli(tmp_path, database, "outbox", "retry")
        wait_until(lambda: len(fake.requests) >= 2)
        time.sleep(0.3)
        sent = json.loads(passgate_cli(tmp_path, database, "outbox", "list", "--state", "sent", "--json").stdout)
    assert len(sent) == 1


def test_webhook_delivery_is_signed(tmp_path: Path) -> None:
    receiver = WebhookReceiver(secret="hook-secret")
    with receiver.running() as url, database_url("sqlite", tmp_path) as db:
        provider = ProviderConfig(id="hook", type="webhook", url=url, secret="hook-secret", channels=("sms",))
        with live_server(db, tmp_path, providers=(provider,)) as live:
            phone = unique_phone()
            live.client().otp.sign_up_or_in(DeliveryMethod.SMS, phone)
            wait_until(lambda: len(receiver.requests) >= 1)
    body = json.loads(receiver.requests[0].body)
    assert body["to"] == phone
    assert body["channel"] == "sms"
    assert receiver.bad_signatures == 0
    assert receiver.requests[0].headers["idempotency-key"] == body["id"]
    assert receiver.key_mismatches == 0


def test_request_names_its_provider(tmp_path: Path) -> None:
    first, second = WebhookReceiver(secret="a"), WebhookReceiver(secret="b")
    with first.running() as url_a, second.running() as url_b, database_url("sqlite", tmp_path) as db:
        providers = (
            ProviderConfig(id="hook-a", type="webhook", url=url_a, secret="a"),
            ProviderConfig(id="hook-b", type="webhook", url=url_b, secret="b"),
        )
        with live_server(db, tmp_path, providers=providers) as live:
            client = live.client()
            login_id = unique_email()
            client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
            wait_until(lambda: len(first.requests) == 1)  # by default the first configured provider
            match = re.search(r"\b\d{6}\b", json.loads(first.requests[0].body)["text"])
            assert match
            refresh = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, match.group())["refreshSessionToken"][
                "jwt"
            ]
            client.otp.update_user_email(login_id, unique_email("new"), refresh, provider_id="hook-b")
            wait_until(lambda: len(second.requests) == 1)
    assert len(first.requests) == 1  # the named provider, not the first, carried the update


def test_stale_message_is_dropped_not_delivered(tmp_path: Path) -> None:
    """A code superseded before its message went out is never delivered."""
    with database_url("sqlite", tmp_path) as url:
        with live_server(url, tmp_path, dispatcher=False) as live:
            client, login_id = live.client(), unique_email("stale")
            client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
            client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)  # supersedes the first code
            time.sleep(0.2)
            assert live.inbox.count(login_id) == 0  # no dispatcher yet
            database = live.settings.resolved_database_url()
        with live_server(url, tmp_path) as delivering:
            wait_until(lambda: delivering.inbox.count(login_id) == 1)
            time.sleep(0.3)
            states = {
                state: json.loads(passgate_cli(tmp_path, database, "outbox", "list", "--state", state, "--json").stdout)
                for state in ("sent", "dropped")
            }
    assert delivering.inbox.count(login_id) == 1
    assert len(states["sent"]) == 1
    assert len(states["dropped"]) == 1
