"""Loopback servers standing in for the outside world at the process boundary.

``RecordingHTTPServer`` speaks plain HTTP and records each request; ``TwilioFake`` answers
like Twilio's REST API (Messages and Calls, HTTP Basic auth); ``WebhookReceiver`` checks
passgate's webhook signature and de-duplicates by message ID; ``smtp_server`` is a real
aiosmtpd relay whose ``Mailbox`` keeps what it accepts.
"""

from __future__ import annotations

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
                request = Recorded(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
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
    """Checks each delivery's signature and counts deliveries per message ID."""

    def __init__(self, secret: str, delay: float = 0.0) -> None:
        super().__init__(respond=self._answer)
        self.secret = secret
        self.delay = delay
        self.bad_signatures = 0

    def _answer(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        if self.delay:
            time.sleep(self.delay)
        timestamp = request.headers["x-passgate-timestamp"]
        if request.headers["x-passgate-signature"] != signature(self.secret, timestamp, request.body):
            self.bad_signatures += 1
            return 401, {}
        return 200, {}

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(json.loads(r.body)["id"] for r in self.requests)


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

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
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """aiosmtpd on loopback, requiring AUTH (over plain text: this is a test relay)."""
    mailbox, port = Mailbox(), free_port()
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
