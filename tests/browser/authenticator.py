"""The passkey device of the browser tests: a CDP virtual authenticator attached to one tab.

``VirtualAuthenticator.attach(page)`` gives the tab a platform authenticator (CTAP2, internal
transport) that keeps discoverable credentials, verifies its user and answers every
ceremony at once, as a phone or laptop would after a touch. It lives with the tab, across
navigations and reloads, and ``credentials()`` reads what it holds the way the device would
show it: which relying party, which user handle, how many signatures it has made.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import CDPSession, Page

OPTIONS = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,  # no one to touch it: it consents to every ceremony
}


def base64url(standard: str) -> str:
    """CDP's padded standard base64 as the unpadded base64url that WebAuthn JSON uses."""
    return base64.urlsafe_b64encode(base64.b64decode(standard)).decode().rstrip("=")


@dataclass(frozen=True)
class Credential:
    """One credential the authenticator holds (ids in base64url, as the SDK sends them)."""

    id: str
    rp_id: str
    user_handle: str
    resident: bool
    sign_count: int

    @classmethod
    def of(cls, listed: dict[str, Any]) -> Credential:
        return cls(
            id=base64url(listed["credentialId"]),
            rp_id=listed["rpId"],
            user_handle=base64url(listed.get("userHandle", "")),
            resident=listed["isResidentCredential"],
            sign_count=listed["signCount"],
        )


class VirtualAuthenticator:
    """A virtual authenticator in ``page``'s tab, driven through the DevTools protocol."""

    def __init__(self, cdp: CDPSession, authenticator_id: str) -> None:
        self.cdp, self.authenticator_id = cdp, authenticator_id

    @classmethod
    def attach(cls, page: Page) -> VirtualAuthenticator:
        cdp = page.context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": OPTIONS})
        return cls(cdp, added["authenticatorId"])

    def credentials(self) -> list[Credential]:
        listed = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return [Credential.of(credential) for credential in listed["credentials"]]

    def only_credential(self) -> Credential:
        """The one credential the authenticator holds (asserting there is exactly one)."""
        held = self.credentials()
        assert len(held) == 1, held
        return held[0]
