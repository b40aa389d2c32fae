"""SMS, voice and WhatsApp through Twilio's REST API (``httpx``).

Messages: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with ``To``, ``From``,
``Body`` (WhatsApp prefixes both numbers with ``whatsapp:``). Voice: ``POST …/Calls.json``
with ``To``, ``From`` and ``Twiml`` that says the text (which reads the code twice, digits
spaced). HTTP Basic auth with the account SID and auth token. The base URL is
configurable so tests can point it at a loopback server speaking the same API.
5xx and network errors are retried; 4xx (a refused number, bad credentials) fail at once.

Twilio documents no idempotency key for creating messages or calls, so a retry after a
lost answer can reach the phone twice. Each request still carries the outbox ID in an
``Idempotency-Key`` header, the same on every attempt, for a Twilio-compatible gateway or
proxy that de-duplicates by it (Twilio itself ignores the header).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import httpx

from passgate.delivery.messages import RenderedMessage
from passgate.delivery.senders import DeliveryFailed, idempotency_header

DEFAULT_BASE_URL = "https://api.twilio.com"


class TwilioSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        whatsapp_from: str = "",
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self._client = client
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._from = from_number
        self._whatsapp_from = whatsapp_from or from_number
        self._account_url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"

    async def send(self, message: RenderedMessage) -> None:
        if message.channel == "voice":
            twiml = f"<Response><Say>{escape(message.text)}</Say></Response>"
            await self._post(message, "Calls.json", {"To": message.to, "From": self._from, "Twiml": twiml})
        elif message.channel == "whatsapp":
            await self._post(
                message,
                "Messages.json",
                {"To": f"whatsapp:{message.to}", "From": f"whatsapp:{self._whatsapp_from}", "Body": message.text},
            )
        else:
            await self._post(message, "Messages.json", {"To": message.to, "From": self._from, "Body": message.text})

    async def _post(self, message: RenderedMessage, resource: str, form: dict[str, str]) -> None:
        try:
            response = await self._client.post(
                f"{self._account_url}/{resource}", data=form, auth=self._auth, headers=idempotency_header(message)
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"Twilio unreachable: {type(exc).__name__}") from exc
        if response.is_success:
            return
        reason = _twilio_reason(response)
        raise DeliveryFailed(f"Twilio {response.status_code}: {reason}", permanent=400 <= response.status_code < 500)


def _twilio_reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    return f"{body.get('code', '')} {body.get('message', '')}".strip() or response.reason_phrase
