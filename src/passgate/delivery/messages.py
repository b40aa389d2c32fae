"""What goes out: the message a flow asks for, and its rendered text.

The flow never formats text; it names a purpose and hands the secret. Rendering happens
when the dispatcher sends, so templates and locales can change without touching flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passgate.addresses import mask_email, mask_phone


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to deliver: a ``code``, a ``link``, or labelled ``links`` (enchanted).

    The secret in it is sealed at rest in the outbox.
    """

    channel: str  # email | sms | voice | whatsapp
    to: str
    purpose: str  # signin | signup | update
    login_id: str
    project_name: str
    code: str = ""
    link: str = ""
    links: tuple[tuple[str, str], ...] = ()
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


_ACTIONS = {"signin": "sign-in", "signup": "sign-up", "update": "verification"}


def render(message: OutgoingMessage) -> RenderedMessage:
    """Plain-text rendering (the templated renderer replaces this in the delivery issue)."""
    action = _ACTIONS.get(message.purpose, "sign-in")
    if message.links:
        subject = f"Your {message.project_name} {action} link"
        lines = [f"  {label}: {url}" for label, url in message.links]
        text = "\n".join([f"{subject}. Open the link whose number matches your screen:", *lines])
    elif message.link:
        subject = f"Your {message.project_name} {action} link"
        text = f"{subject}: {message.link} — it works once and expires in a few minutes."
    else:
        code = " ".join(message.code) if message.channel == "voice" else message.code
        subject = f"Your {message.project_name} {action} code"
        text = f"{subject} is {code}. It expires in a few minutes. If you did not ask for it, ignore this message."
        if message.channel == "voice":
            text = f"{subject} is {code}. Again: {code}."
    return RenderedMessage(
        channel=message.channel,
        to=message.to,
        masked_to=message.masked_to,
        subject=subject,
        text=text,
        purpose=message.purpose,
        login_id=message.login_id,
    )
