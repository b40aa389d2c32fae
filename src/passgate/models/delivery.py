"""How a one-time secret reaches the user."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    """How a one-time secret reaches the user (the ``{m}`` path suffix)."""

    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    WHATSAPP = "whatsapp"

    @property
    def is_phone(self) -> bool:
        return self is not Method.EMAIL

    @property
    def amr(self) -> str:
        """The JWT ``amr`` value for this method (voice counts as ``sms``, as in Descope)."""
        return "sms" if self is Method.VOICE else self.value
