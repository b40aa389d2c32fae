"""Email over SMTP (``aiosmtplib``): STARTTLS or implicit TLS, optional login.

``smtp://user:pass@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://…:465`` speaks TLS from the first byte. Messages are multipart text + HTML.
Headers come only from validated values (the recipient passed email validation; the
subject is a single line) and ``EmailMessage`` refuses line breaks in headers, so user
input cannot add headers.

``Message-ID`` is ``<outbox ID@sender's domain>``: the same on every attempt, so a copy
sent again after a lost answer is recognisably the same message.
"""

from __future__ import annotations

import contextlib
import ssl
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from passgate.delivery.messages import RenderedMessage
from passgate.delivery.senders import DeliveryFailed

_PERMANENT_SMTP_CODES = range(500, 600)


class SmtpSender:
    """Delivers email through one SMTP relay."""

    def __init__(self, url: str, from_address: str, from_name: str = "", *, timeout: float = 15.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://user:pass@host:port or smtps://...")
        self._host = parts.hostname
        self._implicit_tls = parts.scheme == "smtps"
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._from = formataddr((from_name, from_address)) if from_name else from_address
        self._domain = from_address.rpartition("@")[2] or "localhost"
        self._timeout = timeout
        # Built once: loading the CA store takes ~70 ms, synchronously, which per message
        # blocked the event loop for seconds per batch (and the dispatcher's lease renewal).
        self._tls_context = ssl.create_default_context()

    def build(self, message: RenderedMessage) -> EmailMessage:
        """The MIME message for ``message`` (text with an HTML alternative)."""
        email = EmailMessage()
        email["From"] = self._from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message.id}@{self._domain}>"
        email["Content-Language"] = message.locale
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    async def send(self, message: RenderedMessage) -> None:
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._implicit_tls,
            start_tls=None if not self._implicit_tls else False,
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        try:
            await _deliver(client, self.build(message))
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                f"SMTP {exc.code}: {exc.message}", permanent=exc.code in _PERMANENT_SMTP_CODES
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP unavailable: {type(exc).__name__}") from exc


async def _deliver(client: aiosmtplib.SMTP, email: EmailMessage) -> None:
    """Connect, send ``email``, say goodbye; on failure or cancellation drop the connection at
    once. (``aiosmtplib``'s own context manager first sends QUIT and waits for the answer, up
    to the timeout, which a stuck relay never gives: the dispatcher could not cut short a
    send it had given up on.)"""
    try:
        await client.connect()
        await client.send_message(email)
        with contextlib.suppress(aiosmtplib.SMTPException):
            await client.quit()  # the relay has accepted the message: a failed goodbye changes nothing
    finally:
        client.close()  # nothing left to close after QUIT
