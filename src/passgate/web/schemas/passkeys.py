"""``/v1/auth/webauthn/*`` and the passkey management routes (contract part 2 §1)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, Field

from passgate.auth.passkeys import PasskeyOptions, Started
from passgate.models.passkeys import Credential
from passgate.models.users import UserProfile
from passgate.web.schemas.base import AuditedRequest, LoginIdString, LoginOptionsIn, Request, SignUpUserIn
from passgate.web.schemas.sessions import JWTResponse

ORIGIN = Field(default=None, max_length=300, description="The page's origin (window.location.origin).")


class PasskeyUserIn(SignUpUserIn):
    """The ``user`` of a passkey sign-up: Python puts the login ID here, not at the top."""

    loginId: LoginIdString | None = None
    displayName: str | None = Field(default=None, max_length=400)

    def to_profile(self) -> UserProfile:
        profile = super().to_profile()
        return dataclasses.replace(profile, name=profile.name or self.displayName or "")


class AuthenticatorSelectionIn(Request):
    authenticatorAttachment: str | int | None = None
    residentKey: str | int | None = None
    userVerification: str | int | None = None


class PasskeyOptionsIn(Request):
    """What a client asks of the authenticator; loosely typed, as the docs' examples are.
    ``userVerification`` and ``extensionsJSON`` are accepted and ignored: passgate always
    requires user verification and asks for no extensions."""

    authenticatorSelection: AuthenticatorSelectionIn | None = None
    attestation: str | int | None = None
    userVerification: str | int | None = None
    extensionsJSON: str | None = Field(default=None, max_length=10000)

    def to_domain(self) -> PasskeyOptions:
        selection = self.authenticatorSelection or AuthenticatorSelectionIn()
        return PasskeyOptions(
            authenticator_attachment=_text(selection.authenticatorAttachment),
            resident_key=_text(selection.residentKey),
            attestation=_text(self.attestation),
        )


def _text(value: str | int | None) -> str:
    return value if isinstance(value, str) else ""


def passkey_options(given: PasskeyOptionsIn | None) -> PasskeyOptions:
    return given.to_domain() if given else PasskeyOptions()


class PasskeySignUpStartRequest(AuditedRequest):
    user: PasskeyUserIn | None = None
    origin: str | None = ORIGIN
    loginOptions: LoginOptionsIn | None = None
    passkeyOptions: PasskeyOptionsIn | None = None

    def login_id(self) -> str | None:
        """``loginId``, else ``user.loginId`` (Python sends only the latter)."""
        return self.loginId or (self.user.loginId if self.user else None)

    def audited_login_id(self) -> str | None:
        return self.login_id()


class PasskeySignInStartRequest(AuditedRequest):
    """Sign-in (``loginId`` may be empty: any passkey of this RP) and sign-up-or-in."""

    origin: str | None = ORIGIN
    loginOptions: LoginOptionsIn | None = None
    passkeyOptions: PasskeyOptionsIn | None = None


class PasskeyUpdateStartRequest(AuditedRequest):
    origin: str | None = ORIGIN
    mfa: bool | None = None
    passkeyOptions: PasskeyOptionsIn | None = None


class PasskeyFinishRequest(Request):
    """``transactionId`` (Go spells it ``transactionID``) and the browser's credential, as
    JSON text or as an object."""

    transactionId: str | None = Field(default=None, max_length=64)
    transactionID: str | None = Field(default=None, max_length=64)
    response: str | dict[str, Any] | None = None

    def transaction(self) -> str | None:
        return self.transactionId or self.transactionID


class PasskeyStartResponse(BaseModel):
    transactionId: str
    options: str  # JSON text {"publicKey": {...}}: the SDKs parse it themselves
    create: bool

    @classmethod
    def of(cls, started: Started) -> PasskeyStartResponse:
        return cls(transactionId=started.transaction_id, options=started.options, create=started.create)


class PasskeyUpdateFinishResponse(BaseModel):
    """``{}``, or ``{"jwt": …}`` when the update started with ``mfa``."""

    jwt: JWTResponse | None = Field(default=None, exclude_if=lambda value: value is None)


class PasskeyOut(BaseModel):
    id: str
    rpId: str
    kind: str
    displayName: str
    createdTime: int  # unix seconds (Go converts it so)
    lastUsedTime: int

    @classmethod
    def of(cls, credential: Credential) -> PasskeyOut:
        return cls(
            id=credential.credential_id,
            rpId=credential.rp_id,
            kind="multi-device" if credential.backup_eligible else "single-device",
            displayName=credential.name,
            createdTime=credential.created_at_ms // 1000,
            lastUsedTime=credential.last_used_at_ms // 1000,
        )


class PasskeysResponse(BaseModel):
    passkeys: list[PasskeyOut]


class PasskeyDeleteRequest(AuditedRequest):
    credentialId: str | None = Field(default=None, max_length=1400)
