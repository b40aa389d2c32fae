"""Loopback servers standing in for the outside world at the process boundary.

``RecordingHTTPServer`` speaks plain HTTP and records each request; ``TwilioFake`` answers
like Twilio's REST API (Messages and Calls, HTTP Basic auth); ``WebhookReceiver`` checks
passgate's webhook signature and its ``Idempotency-Key`` and de-duplicates by message ID
(as a receiver should: delivery is at least once); ``Mailbox`` behind
``smtp_server`` is an SMTP relay (aiosmtpd) that keeps every message it is sent.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from passgate.config import ProviderConfig
from passgate.delivery.webhook import signature
from tests.support import free_port


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    def basic_auth(self) -> tuple[str, str]:
        user, _, password = base64.b64decode(self.headers["authorization"].split()[1]).decode().partition(":")
        return user, password


Responder = Callable[[Recorded], tuple[int, dict[str, Any]]]


@dataclass
class RecordingHTTPServer:
    """A threaded HTTP server on 127.0.0.1 that records requests and answers via ``respond``."""

    respond: Responder
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def running(self) -> Iterator[str]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the client went away mid-request (a killed worker): nothing was delivered
                request = Recorded(
                    method="POST", path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body
                )
                with outer.lock:
                    outer.requests.append(request)
                status, payload = outer.respond(request)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog of 5 drops bursts of connections

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


class TwilioFake(RecordingHTTPServer):
    """Twilio's Messages and Calls endpoints; ``statuses`` scripts the first answers."""

    SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "twilio-test-token"

    def __init__(self, statuses: list[int] | None = None) -> None:
        super().__init__(respond=self._answer)
        self.statuses = list(statuses or [])

    def _answer(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        if request.basic_auth() != (self.SID, self.TOKEN):
            return 401, {"code": 20003, "message": "Authenticate"}
        status = self.statuses.pop(0) if self.statuses else 201
        if status >= 400:
            return status, {"code": 21211 if status < 500 else 20500, "message": f"scripted {status}"}
        return status, {"sid": f"SM{len(self.requests):032d}", "status": "queued"}

    def delivered(self) -> list[Recorded]:
        """Requests that were answered 201 (every recorded request, minus scripted failures)."""
        return [r for r in self.requests if r.path.endswith((".json",))]


class WebhookReceiver(RecordingHTTPServer):
    """Checks each delivery's signature and idempotency key; counts deliveries per message ID."""

    def __init__(self, secret: str, delay: float = 0.0) -> None:
        super().__init__(respond=self._answer)
        self.secret = secret
        self.delay = delay
        self.bad_signatures = 0
        self.key_mismatches = 0  # deliveries whose Idempotency-Key is not the signed body's ID

    def _answer(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        if self.delay:
            time.sleep(self.delay)
        timestamp = request.headers["x-passgate-timestamp"]
        if request.headers["x-passgate-signature"] != signature(self.secret, timestamp, request.body):
            self.bad_signatures += 1
            return 401, {}
        if request.headers.get("idempotency-key") != json.loads(request.body)["id"]:
            self.key_mismatches += 1
        return 200, {}

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(json.loads(r.body)["id"] for r in self.requests)


class Mailbox:
    """An aiosmtpd handler that keeps every message it is sent.

    With ``answer_first`` set, only that many messages are answered at once; later ones are
    held unanswered until ``release()``: a relay that has the message but has not replied,
    so the sender cannot know whether it will be delivered (the copy it sends again is a
    duplicate). ``messages`` holds every message received, held ones included, and
    ``received_at`` when each arrived (``time.monotonic()``).
    """

    def __init__(self, answer_first: int | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.received_at: list[float] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self._answer_first = answer_first
        self._released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.received_at.append(time.monotonic())
        if self._answer_first is not None and len(self.messages) > self._answer_first:
            await asyncio.to_thread(self._released.wait)  # set from the test's thread
        return "250 OK"

    def release(self) -> None:
        """Answer the held messages, and every later one at once."""
        self._released.set()

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret")

    def wait_for(self, to: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no email to {to}")


@contextmanager
def smtp_server(mailbox: Mailbox | None = None) -> Iterator[tuple[Mailbox, int]]:
    """aiosmtpd on loopback, offering AUTH (over plain text: this is a test relay)."""
    mailbox, port = mailbox or Mailbox(), free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def twilio_provider(url: str, provider_id: str = "twilio") -> ProviderConfig:
    """A Twilio provider that sends to a ``TwilioFake`` at ``url``."""
    return ProviderConfig(
        id=provider_id,
        type="twilio",
        account_sid=TwilioFake.SID,
        auth_token=TwilioFake.TOKEN,
        from_number="+14155550100",
        whatsapp_from="+14155550199",
        base_url=url,
    )
