"""What goes out: the message a flow asks for, and its rendered text.

The flow never formats text; it names a purpose and hands the secret. Rendering happens
when the dispatcher sends, so templates and locales can change without touching flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passgate.addresses import mask_email, mask_phone


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to deliver. ``code`` is the one secret in it; it is sealed at rest."""

    channel: str  # email | sms | voice | whatsapp
    to: str
    purpose: str  # signin | signup | update
    code: str
    login_id: str
    project_name: str
    locale: str = ""
    template_options: dict[str, str] = field(default_factory=dict)

    @property
    def masked_to(self) -> str:
        return mask_email(self.to) if self.channel == "email" else mask_phone(self.to)


@dataclass(frozen=True)
class RenderedMessage:
    """Text ready for a sender; ``subject`` only for email."""

    channel: str
    to: str
    masked_to: str
    subject: str
    text: str
    purpose: str
    login_id: str


_HEADLINES = {
    "signin": "Your {project} sign-in code is {code}",
    "signup": "Your {project} sign-up code is {code}",
    "update": "Your {project} verification code is {code}",
}


def render(message: OutgoingMessage) -> RenderedMessage:
    """Plain-text rendering (the templated renderer replaces this in the delivery issue)."""
    code = " ".join(message.code) if message.channel == "voice" else message.code
    headline = _HEADLINES.get(message.purpose, _HEADLINES["signin"]).format(project=message.project_name, code=code)
    text = headline + ". It expires in a few minutes. If you did not ask for it, ignore this message."
    if message.channel == "voice":
        text = f"{headline}. Again: {code}."
    return RenderedMessage(
        channel=message.channel,
        to=message.to,
        masked_to=message.masked_to,
        subject=headline.split(" is ")[0],
        text=text,
        purpose=message.purpose,
        login_id=message.login_id,
    )
