"""The sender seam and the development senders (console, file).

A sender delivers one rendered message or raises ``DeliveryFailed``; ``permanent=True``
tells the outbox not to retry (a refused address), anything else is retried with back-off.
Real providers (SMTP, Twilio, webhook) plug in behind the same protocol.

Delivery is at least once: a send whose answer was lost (a timeout, a killed worker) is
sent again. Every copy names the message by its outbox ID (``RenderedMessage.id``), so the
receiver can recognise a repeat: HTTP providers get it as ``Idempotency-Key``, email as
its ``Message-ID``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Protocol, TextIO

from passgate.delivery.messages import RenderedMessage


class DeliveryFailed(Exception):
    """A send did not go through."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: RenderedMessage) -> None: ...


def idempotency_header(message: RenderedMessage) -> dict[str, str]:
    """The header naming ``message`` on an HTTP provider's request, the same on every attempt.

    ``Idempotency-Key`` as Stripe and the IETF httpapi draft name it; the value is the bare
    outbox ID (32 hex digits), as most providers that honour the header expect it.
    """
    return {"Idempotency-Key": message.id}


class ConsoleSender:
    """Prints each message to the server console: for development only.

    This is a delivery channel standing in for a phone or inbox, so it shows the text
    (and so the code); the structured log never does.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr

    async def send(self, message: RenderedMessage) -> None:
        print(f"[passgate {message.channel} → {message.masked_to}] {message.text}", file=self._stream, flush=True)


class FileSender:
    """Appends one JSON object per message to a file (for tests and users' own CI)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    async def send(self, message: RenderedMessage) -> None:
        record = {
            "id": message.id,
            "channel": message.channel,
            "to": message.to,
            "loginId": message.login_id,
            "purpose": message.purpose,
            "subject": message.subject,
            "text": message.text,
            "locale": message.locale,
        }
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


class DiscardSender:
    """Drops every message (``PASSGATE_DELIVERY=none``)."""

    async def send(self, message: RenderedMessage) -> None:
        return None
