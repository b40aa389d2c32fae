"""A generic HTTP webhook for any other gateway.

``POST <url>`` with a JSON body ``{id, channel, to, subject, text, html, purpose, loginId,
locale}``. Two headers let the receiver check it came from passgate and is fresh:

* ``X-Passgate-Timestamp``: unix seconds when it was signed;
* ``X-Passgate-Signature``: ``v1=`` + hex HMAC-SHA256 under the shared secret of
  ``<timestamp>.<raw body>``.

Receivers should reject a timestamp more than five minutes old and compare signatures in
constant time. ``id`` is stable across retries, for de-duplication; ``Idempotency-Key``
carries the same ID as a header, for gateways that de-duplicate by it. A repeat has the
same body but a new timestamp and signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from passgate.clock import Clock
from passgate.delivery.messages import RenderedMessage
from passgate.delivery.senders import DeliveryFailed, idempotency_header


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Passgate-Signature`` value for ``body`` signed at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, clock: Clock, *, url: str, secret: str) -> None:
        self._client = client
        self._clock = clock
        self._url = url
        self._secret = secret

    async def send(self, message: RenderedMessage) -> None:
        body = json.dumps(
            {
                "id": message.id,
                "channel": message.channel,
                "to": message.to,
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "purpose": message.purpose,
                "loginId": message.login_id,
                "locale": message.locale,
            },
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(self._clock.now()))
        headers = {
            "Content-Type": "application/json",
            "X-Passgate-Timestamp": timestamp,
            "X-Passgate-Signature": signature(self._secret, timestamp, body),
            **idempotency_header(message),
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
            raise DeliveryFailed(f"webhook answered {response.status_code}", permanent=permanent)
