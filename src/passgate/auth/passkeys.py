"""Passkeys (WebAuthn): sign-up, sign-in (with a login ID, or usernameless), sign-up-or-in,
and adding a passkey to a signed-in user; each a start and a finish.

A start checks the page's origin against the project (``auth/relying_party.py``), stores a
ceremony (kind, challenge, origin, RP ID, the user, what the sign-in earns) and answers the
options for ``navigator.credentials.create/get`` as JSON text ``{"publicKey": …}``
(py_webauthn builds and later verifies them). A finish claims its ceremony once (a replay
or an expired one is refused), verifies the browser's answer against it, and only then
stores anything: the new user and passkey, or the passkey's new sign count. A failed
finish still uses up its ceremony. A sign count that does not advance (the authenticator
reports one) means two authenticators hold the key: refused, and audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import webauthn
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers import parse_registration_credential_json as parse_registration
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from passgate.addresses import normalize_login_id
from passgate.auth import accounts, audit, factors, refresh_tokens
from passgate.auth.context import AuthContext, Caller
from passgate.auth.minting import OpenedSession, mint
from passgate.auth.relying_party import rp_id_for
from passgate.errors import (
    ClonedAuthenticator,
    InvalidArgument,
    InvalidRefreshToken,
    NoPasskeys,
    PassgateError,
    PasskeyRefused,
    UserAlreadyExists,
    UserDisabled,
    UserNotFound,
)
from passgate.identifiers import new_opaque_id, new_user_id
from passgate.models.passkeys import Credential
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.models.users import User, UserProfile, UserStatus
from passgate.storage import users_store, webauthn_store
from passgate.storage.database import IntegrityViolation, Transaction
from passgate.storage.webauthn_store import Ceremony

SIGNUP, SIGNIN, UPDATE = "signup", "signin", "update"
CEREMONY_SECONDS = 300  # the browser's timeout, and how long the ceremony row is good for
CLONE_ACTION = "auth_webauthn.cloned_authenticator"
DEFAULT_NAME = "Passkey"


@dataclass(frozen=True)
class PasskeyOptions:
    """Descope's ``passkeyOptions``: what the client asks of the authenticator. Values the
    WebAuthn dictionaries do not know are ignored."""

    authenticator_attachment: str = ""
    resident_key: str = ""
    attestation: str = ""


@dataclass(frozen=True)
class Started:
    transaction_id: str
    options: str  # JSON text: {"publicKey": {...}}
    create: bool


async def start_sign_up(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    profile: UserProfile,
    origin: str,
    options: LoginOptions,
    passkey: PasskeyOptions,
) -> Started:
    """Options to register a passkey for a new user; ``UserAlreadyExists`` if the login ID is taken."""
    login_id = normalize_login_id(login_id)
    rp_id = rp_id_for(project, origin)
    async with ctx.db.transaction() as tx:
        if await users_store.login_id_owner(tx, project.id, login_id):
            raise UserAlreadyExists()
        details = {"earned": factors.Earned.of(options, None).to_stored(), "profile": _stored_profile(profile)}
        user = _Registrant(id=new_user_id(), login_id=login_id, display_name=profile.name or login_id)
        return await _start_registration(tx, ctx, project, SIGNUP, user, origin, rp_id, details, passkey, ())


async def start_sign_in(
    ctx: AuthContext, project: Project, login_id: str, origin: str, options: LoginOptions, refresh_jwt: str | None
) -> Started:
    """Options to sign in with a passkey of ``login_id``'s user; with an empty login ID (or,
    when the project hides which login IDs exist, an unknown one), with any passkey the
    authenticator holds for this RP (a discoverable credential)."""
    login_id = normalize_login_id(login_id) if login_id else ""
    rp_id = rp_id_for(project, origin)
    async with ctx.db.transaction() as tx:
        user = await users_store.find_by_login_id(tx, project.id, login_id) if login_id else None
        if login_id and user is None and not project.settings.hide_login_existence:
            raise UserNotFound()
        if user is not None and user.status is UserStatus.DISABLED:
            raise UserDisabled()
        credentials = await webauthn_store.credentials_of(tx, user.id) if user else []
        if user is not None and not credentials and not project.settings.hide_login_existence:
            raise NoPasskeys()
    prior = await factors.prior_session(ctx, project, options, refresh_jwt, user)
    details = {"earned": factors.Earned.of(options, prior).to_stored()}
    challenge = webauthn.generate_authentication_options(
        rp_id=rp_id,
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=[_descriptor(credential) for credential in credentials],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    async with ctx.db.transaction() as tx:
        user_id = user.id if user is not None and credentials else ""
        ceremony_id = await _store(
            tx, ctx, project, SIGNIN, login_id, user_id, challenge.challenge, origin, rp_id, details
        )
    return Started(ceremony_id, _wrapped(webauthn.options_to_json(challenge)), create=False)


async def start_sign_up_or_in(
    ctx: AuthContext, project: Project, login_id: str, origin: str, options: LoginOptions, passkey: PasskeyOptions
) -> Started:
    """A sign-in start if the login ID has a user, else a sign-up start (``create`` says which)."""
    async with ctx.db.transaction(write=False) as tx:
        exists = await users_store.login_id_owner(tx, project.id, normalize_login_id(login_id))
    if exists:
        return await start_sign_in(ctx, project, login_id, origin, options, None)
    return await start_sign_up(ctx, project, login_id, UserProfile(), origin, options, passkey)


async def start_update(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    origin: str,
    refresh_jwt: str | None,
    passkey: PasskeyOptions,
    *,
    mfa: bool,
) -> Started:
    """Options to add a passkey to the signed-in user owning ``login_id``. With ``mfa`` the
    finish also answers a session whose ``amr`` adds ``webauthn`` to the current one's."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if normalize_login_id(login_id) not in current.user.login_ids:
        raise InvalidRefreshToken("The login ID does not belong to the signed-in user")
    rp_id = rp_id_for(project, origin)
    earned = factors.Earned(mfa=True, prior_amr=tuple(current.record.amr)) if mfa else None
    details = {"earned": earned.to_stored() if earned else None}
    user = current.user
    registrant = _Registrant(id=user.id, login_id=user.login_ids[0], display_name=user.name or user.login_ids[0])
    async with ctx.db.transaction() as tx:
        existing = await webauthn_store.credentials_of(tx, user.id)
        return await _start_registration(
            tx, ctx, project, UPDATE, registrant, origin, rp_id, details, passkey, existing
        )


async def finish(
    ctx: AuthContext, project: Project, kind: str, transaction_id: str, response: Any, caller: Caller
) -> SessionTokens | None:
    """Finish a ceremony of ``kind`` (``SIGNUP``: register the passkey and create its user;
    ``SIGNIN``: check the assertion; ``UPDATE``: add the passkey to the user); the session it
    earns, ``None`` for an update that did not ask for MFA."""
    parse = parse_authentication_credential_json if kind == SIGNIN else parse_registration
    opened = await _finish(ctx, project, transaction_id, (kind,), caller, _parsed(parse, response))
    return await mint(ctx, project, opened) if opened is not None else None


# --------------------------------------------------------------------------- starts


@dataclass(frozen=True)
class _Registrant:
    id: str
    login_id: str
    display_name: str


async def _start_registration(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    kind: str,
    user: _Registrant,
    origin: str,
    rp_id: str,
    details: dict[str, Any],
    passkey: PasskeyOptions,
    existing: list[Credential] | tuple[Credential, ...],
) -> Started:
    created = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=project.name or rp_id,
        user_name=user.login_id,
        user_id=user.id.encode(),
        user_display_name=user.display_name,
        timeout=CEREMONY_SECONDS * 1000,
        attestation=_attestation(passkey.attestation),
        authenticator_selection=AuthenticatorSelectionCriteria(
            authenticator_attachment=_attachment(passkey.authenticator_attachment),
            resident_key=_resident_key(passkey.resident_key),
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(credential) for credential in existing],
    )
    ceremony_id = await _store(
        tx, ctx, project, kind, user.login_id, user.id, created.challenge, origin, rp_id, details
    )
    return Started(ceremony_id, _wrapped(webauthn.options_to_json(created)), create=True)


async def _store(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    kind: str,
    login_id: str,
    user_id: str,
    challenge: bytes,
    origin: str,
    rp_id: str,
    details: dict[str, Any],
) -> str:
    """Store the ceremony; its ID (the ``transactionId``)."""
    now_ms = ctx.now_ms()
    await webauthn_store.drop_expired_ceremonies(tx, project.id, now_ms)
    ceremony_id = new_opaque_id()
    await webauthn_store.insert_ceremony(
        tx,
        Ceremony(
            id=ceremony_id,
            project_id=project.id,
            kind=kind,
            login_id=login_id,
            user_id=user_id,
            challenge=bytes_to_base64url(challenge),
            origin=origin,
            rp_id=rp_id,
            details=details,
            expires_at_ms=now_ms + CEREMONY_SECONDS * 1000,
            used_at_ms=0,
        ),
    )
    return ceremony_id


def _wrapped(options_json: str) -> str:
    return '{"publicKey":' + options_json + "}"


def _descriptor(credential: Credential) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in credential.transports if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(
        id=webauthn.base64url_to_bytes(credential.credential_id), transports=transports or None
    )


_TRANSPORTS = frozenset(t.value for t in AuthenticatorTransport)


def _attestation(value: str) -> AttestationConveyancePreference:
    try:
        return AttestationConveyancePreference(value or "none")
    except ValueError:
        return AttestationConveyancePreference.NONE


def _attachment(value: str) -> AuthenticatorAttachment | None:
    value = "cross-platform" if value == "crossplatform" else value
    try:
        return AuthenticatorAttachment(value) if value and value != "any" else None
    except ValueError:
        return None


def _resident_key(value: str) -> ResidentKeyRequirement:
    try:
        return ResidentKeyRequirement(value or "preferred")
    except ValueError:
        return ResidentKeyRequirement.PREFERRED


def _stored_profile(profile: UserProfile) -> dict[str, str]:
    return {
        key: value
        for key, value in {
            "name": profile.name,
            "givenName": profile.given_name,
            "middleName": profile.middle_name,
            "familyName": profile.family_name,
            "email": profile.email,
            "phone": profile.phone,
        }.items()
        if value
    }


def _profile_of(stored: object) -> UserProfile:
    values = stored if isinstance(stored, dict) else {}
    return UserProfile(
        name=str(values.get("name", "")),
        given_name=str(values.get("givenName", "")),
        middle_name=str(values.get("middleName", "")),
        family_name=str(values.get("familyName", "")),
        email=str(values.get("email", "")),
        phone=str(values.get("phone", "")),
    )


# --------------------------------------------------------------------------- finishes


def _parsed(parse: Any, response: Any) -> Any:
    """The browser's credential (JSON text, or an object from a hand-written caller);
    ``InvalidArgument`` if it is not one."""
    if not isinstance(response, (str, dict)) or not response:
        raise InvalidArgument("response must be the credential JSON")
    try:
        return parse(response if isinstance(response, str) else json.dumps(response))
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise InvalidArgument(f"response is not a WebAuthn credential: {exc}") from exc


async def _finish(
    ctx: AuthContext,
    project: Project,
    transaction_id: str,
    kinds: tuple[str, ...],
    caller: Caller,
    credential: RegistrationCredential | AuthenticationCredential,
) -> OpenedSession | None:
    """Claim the ceremony and act on the verified credential in one transaction; a refusal is
    raised after commit, so the ceremony stays used."""
    outcome: OpenedSession | PassgateError | None
    async with ctx.db.transaction() as tx:
        ceremony = await webauthn_store.claim_ceremony(tx, project.id, transaction_id, ctx.now_ms())
        if ceremony is None or ceremony.kind not in kinds:
            outcome = PasskeyRefused("Unknown, used or expired transaction")
        elif isinstance(credential, AuthenticationCredential):
            outcome = await _assert(tx, ctx, project, ceremony, credential, caller)
        else:
            outcome = await _register(tx, ctx, project, ceremony, credential, caller)
    if isinstance(outcome, ClonedAuthenticator):  # audited after commit: the trail writes on its own
        user_id = str(outcome.detail["userId"])
        await audit.record(
            ctx, project.id, CLONE_ACTION, error=outcome, user_id=user_id, caller=caller, detail=outcome.detail
        )

    if isinstance(outcome, PassgateError):
        raise outcome
    return outcome


async def _register(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    ceremony: Ceremony,
    credential: RegistrationCredential,
    caller: Caller,
) -> OpenedSession | PassgateError | None:
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(ceremony.challenge),
            expected_rp_id=ceremony.rp_id,
            expected_origin=ceremony.origin,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        return PasskeyRefused(f"The passkey registration does not verify: {exc}")
    if ceremony.kind == SIGNUP:
        profile = _profile_of(ceremony.details.get("profile"))
        user = await factors.new_user(tx, ctx, project, ceremony.login_id, profile, user_id=ceremony.user_id)
    else:
        user = await accounts.load_signable_user(tx, project.id, ceremony.user_id)
    now_ms = ctx.now_ms()
    stored = Credential(
        project_id=project.id,
        credential_id=bytes_to_base64url(verified.credential_id),
        user_id=user.id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=tuple(t.value for t in credential.response.transports or ()),
        aaguid=verified.aaguid,
        backup_eligible=verified.credential_device_type.value == "multi_device",
        backup_state=verified.credential_backed_up,
        name=DEFAULT_NAME,
        rp_id=ceremony.rp_id,
        created_at_ms=now_ms,
        last_used_at_ms=0,
    )
    try:
        await webauthn_store.insert_credential(tx, stored)
    except IntegrityViolation:
        return PasskeyRefused("This passkey is already registered")
    user = await factors.mark(tx, ctx, user, factors.WEBAUTHN, held=True)
    if ceremony.kind == UPDATE and not ceremony.details.get("earned"):
        return None
    first_seen = ceremony.kind == SIGNUP
    return await factors.open_session(
        tx, ctx, project, caller, user, factors.WEBAUTHN, _earned(ceremony), first_seen=first_seen
    )


async def _assert(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    ceremony: Ceremony,
    credential: AuthenticationCredential,
    caller: Caller,
) -> OpenedSession | PassgateError:
    stored = await webauthn_store.credential(tx, project.id, credential.id)
    if stored is None:
        return PasskeyRefused("Unknown passkey")
    if ceremony.user_id and stored.user_id != ceremony.user_id:
        return PasskeyRefused("The passkey belongs to another user")
    try:
        # The count is compared below, after the signature: a forged assertion must not
        # raise the alarm of a cloned authenticator.
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(ceremony.challenge),
            expected_rp_id=ceremony.rp_id,
            expected_origin=ceremony.origin,
            credential_public_key=webauthn.base64url_to_bytes(stored.public_key),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        return PasskeyRefused(f"The passkey assertion does not verify: {exc}")
    if (verified.new_sign_count > 0 or stored.sign_count > 0) and verified.new_sign_count <= stored.sign_count:
        detail: dict[str, object] = {
            "userId": stored.user_id,
            "credentialId": stored.credential_id,
            "storedSignCount": stored.sign_count,
            "presentedSignCount": verified.new_sign_count,
        }
        return ClonedAuthenticator("The passkey's sign count did not advance: a cloned authenticator", detail)
    advanced = await webauthn_store.record_use(
        tx,
        project.id,
        stored.credential_id,
        old_count=stored.sign_count,
        new_count=verified.new_sign_count,
        backup_state=verified.credential_backed_up,
        now_ms=ctx.now_ms(),
    )
    if not advanced:
        return PasskeyRefused("The passkey was used by another request at the same time")
    user: User = await accounts.load_signable_user(tx, project.id, stored.user_id)
    return await factors.open_session(tx, ctx, project, caller, user, factors.WEBAUTHN, _earned(ceremony))


def _earned(ceremony: Ceremony) -> factors.Earned:
    """What the ceremony's start decided the sign-in earns (step-up, MFA, custom claims)."""
    stored = ceremony.details.get("earned")
    return factors.Earned.from_stored(stored if isinstance(stored, dict) else {})
