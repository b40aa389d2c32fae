"""What goes out: the message a flow asks for, and the rendered message a sender delivers.

The flow never formats text; it names a purpose and hands the secret. Rendering happens
when the dispatcher sends (``delivery.templates``), so templates and locales can change
without touching flows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from passgate.addresses import mask_email, mask_phone

INVITE = "invite"  # the purpose of an invitation (``mgmt/invitations.py``): a link, but not a sign-in link
RESET = "reset"  # a password reset link (``auth/passwords.py``): it signs in, to set a new password


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to deliver: a ``code``, a ``link``, or labelled ``links`` (enchanted).

    The secret in it is sealed at rest in the outbox.
    """

    channel: str  # email | sms | voice | whatsapp
    to: str
    purpose: str  # signin | signup | update | invite | reset
    login_id: str
    project_name: str
    project_id: str = ""
    code: str = ""
    link: str = ""
    links: tuple[tuple[str, str], ...] = ()
    locale: str = ""
    template_id: str = ""
    template_options: dict[str, str] = field(default_factory=dict)
    provider_ids: tuple[str, ...] = ()
    expires_in_seconds: int = 300

    @property
    def masked_to(self) -> str:
        return mask_email(self.to) if self.channel == "email" else mask_phone(self.to)

    @property
    def template_purpose(self) -> str:
        """Which texts to use: invitations and links have their own, codes follow the flow's purpose."""
        if self.purpose in (INVITE, RESET):
            return self.purpose
        if self.links:
            return "enchantedlink"
        if self.link:
            return "magiclink"
        return self.purpose

    def to_payload(self) -> bytes:
        """The message as JSON, for the outbox (``from_payload`` reads it back). The fields are
        flat, so no recursive copy is needed (``dataclasses.asdict`` was ~2 % of OTP start)."""
        return json.dumps({name: getattr(self, name) for name in _FIELD_NAMES}).encode()

    @classmethod
    def from_payload(cls, payload: bytes) -> OutgoingMessage:
        """The message ``to_payload`` wrote (JSON has no tuples: they come back as lists)."""
        values: dict[str, Any] = json.loads(payload)
        values["links"] = tuple(tuple(pair) for pair in values.get("links", ()))
        values["provider_ids"] = tuple(values.get("provider_ids", ()))
        return cls(**values)


_FIELD_NAMES = tuple(item.name for item in fields(OutgoingMessage))


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for a sender. ``subject`` and ``html`` are for email only.

    ``id`` is the outbox ID: stable across retries, so receivers can de-duplicate.
    """

    id: str
    channel: str
    to: str
    masked_to: str
    subject: str
    text: str
    html: str
    purpose: str
    login_id: str
    locale: str
