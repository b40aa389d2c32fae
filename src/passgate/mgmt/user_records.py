"""The user record of import and export: one JSON object per user (a line of a JSON-lines
file), its field names those of Descope's User object, everything a user is made of.

Export writes what ``record_of`` makes; import reads it back with ``user_of`` — an export
imported into another passgate and exported again gives the same lines. Fields (all but
``loginIds`` optional; empty ones left out):

* ``userId`` (kept, so sealed secrets still open), ``loginIds`` (the primary first),
  ``status`` (``enabled`` | ``disabled`` | ``invited``), ``test``, ``createdTime`` (unix s);
* ``name``, ``givenName``, ``middleName``, ``familyName``, ``picture``, ``email``,
  ``verifiedEmail``, ``phone``, ``verifiedPhone``, ``customAttributes``;
* ``roleNames``, ``userTenants`` (``[{tenantId, roleNames}]``; roles and tenants must exist);
* ``hashedPassword`` (Descope's ``{<kind>: {...}}``: a hash from any system passgate reads,
  rehashed to argon2id at the first sign-in), or ``password`` (cleartext, hashed on import),
  ``passwordExpired``, ``passwordSetTime`` (unix s);
* ``totp``: ``{"secret": <base32>}`` in the clear, or ``{"sealed": <text>}`` as this server
  (or one with the same master secret) sealed it for this ``userId``;
* ``passkeys``: ``[{credentialId, publicKey (COSE, base64url), signCount, transports,
  aaguid, backupEligible, backedUp, name, rpId, createdTime, lastUsedTime}]`` (times unix ms);
* ``identities``: ``[{provider, subject, email}]``, the user at social login providers and
  tenants' SSO (``sso/<tenant>/<ssoId>``): the User object's ``OAuth`` and ``SAML`` follow
  from them. Provider tokens kept by ``store_tokens`` are not exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from passgate.addresses import normalize_email, normalize_login_id, normalize_phone
from passgate.auth import passwords, totp
from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidArgument, PassgateError
from passgate.identifiers import new_user_id
from passgate.mgmt.grants import TenantRoles
from passgate.models.passkeys import Credential
from passgate.models.users import User, UserStatus
from passgate.storage.identities_store import Identity
from passgate.storage.passwords_store import PasswordRow

_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")
_TEXTS = {"name": 400, "givenName": 200, "middleName": 200, "familyName": 200, "picture": 2000}
_FIELDS = {
    *_TEXTS,
    "userId", "loginIds", "status", "test", "createdTime", "email", "verifiedEmail", "phone", "verifiedPhone",
    "customAttributes", "roleNames", "userTenants", "hashedPassword", "password", "passwordExpired",
    "passwordSetTime", "totp", "passkeys", "identities",
}  # fmt: skip
SSO_PREFIX = "sso/"  # the provider names of tenants' SSO identities


@dataclass(frozen=True)
class UserRecord:
    """A user as a record says it: everything to store, checked and normalized."""

    user: User
    role_names: tuple[str, ...] = ()
    tenants: tuple[TenantRoles, ...] = ()
    password_hash: str = ""  # stored form; "" with ``cleartext`` or no password
    cleartext: str = ""  # a password given in the clear, to hash before storing
    password_expired: bool = False
    password_set_ms: int = 0
    totp_sealed: str = ""
    passkeys: tuple[Credential, ...] = ()
    identities: tuple[Identity, ...] = ()

    def password_row(self, hashed: str, now_ms: int) -> PasswordRow:
        return PasswordRow(
            user_id=self.user.id,
            project_id=self.user.project_id,
            hash=hashed,
            must_change=self.password_expired,
            set_at_ms=self.password_set_ms or now_ms,
            failed_attempts=0,
        )


# --- reading ----------------------------------------------------------------------------------
def user_of(record: Any, project_id: str, secrets: Secrets, now_ms: int) -> UserRecord:
    """The user ``record`` describes; ``InvalidArgument`` (or the refusal of an address)
    naming the first thing wrong with it, never quoting a secret."""
    try:
        return _read(record, project_id, secrets, now_ms)
    except PassgateError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise InvalidArgument(str(exc)[:200]) from exc


def _read(record: Any, project_id: str, secrets: Secrets, now_ms: int) -> UserRecord:
    if not isinstance(record, dict):
        raise InvalidArgument("a record is a JSON object")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise InvalidArgument(f"unknown field {unknown[0][:40]!r}")
    user_id = _text(record, "userId") or new_user_id()
    if not _USER_ID.match(user_id):
        raise InvalidArgument("userId must be 1-32 letters, digits, '-' or '_'")
    created_ms = _ms(record, "createdTime") or now_ms
    email, phone = _text(record, "email"), _text(record, "phone")
    user = User(
        id=user_id,
        project_id=project_id,
        login_ids=_login_ids(record.get("loginIds")),
        status=_status(record.get("status")),
        created_at=created_ms / 1000,
        modified_at=now_ms / 1000,
        name=_text(record, "name", _TEXTS["name"]),
        given_name=_text(record, "givenName", _TEXTS["givenName"]),
        middle_name=_text(record, "middleName", _TEXTS["middleName"]),
        family_name=_text(record, "familyName", _TEXTS["familyName"]),
        picture=_text(record, "picture", _TEXTS["picture"]),
        email=normalize_email(email) if email else "",
        verified_email=bool(email) and _flag(record, "verifiedEmail"),
        phone=normalize_phone(phone) if phone else "",
        verified_phone=bool(phone) and _flag(record, "verifiedPhone"),
        test=_flag(record, "test"),
        custom_attributes=_object(record, "customAttributes"),
    )
    hashed = record.get("hashedPassword")
    identities = tuple(_identity(item, project_id, user_id) for item in _list(record, "identities"))
    providers = [i.provider for i in identities]
    user = replace(
        user,
        oauth=tuple(dict.fromkeys(p for p in providers if not p.startswith(SSO_PREFIX))),
        saml=any(p.startswith(SSO_PREFIX) for p in providers),
    )
    return UserRecord(
        user=user,
        identities=identities,
        role_names=_names(record.get("roleNames"), "roleNames"),
        tenants=_tenants(record.get("userTenants")),
        password_hash=passwords.imported_hash(hashed) if hashed else "",
        cleartext="" if hashed else _text(record, "password", 1024),
        password_expired=_flag(record, "passwordExpired"),
        password_set_ms=_ms(record, "passwordSetTime"),
        totp_sealed=_totp(record.get("totp"), user_id, secrets),
        passkeys=tuple(_passkey(item, project_id, user_id) for item in _list(record, "passkeys")),
    )


def _text(record: dict[str, Any], name: str, limit: int = 320) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name} must be a string")
    if len(value) > limit or "\x00" in value:
        raise InvalidArgument(f"{name} is longer than {limit} characters or holds NUL")
    return value


def _flag(record: dict[str, Any], name: str) -> bool:
    value = record.get(name, False)
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be true or false")
    return value


def _ms(record: dict[str, Any], name: str) -> int:
    """A time given in unix seconds (fractions kept to the millisecond), as unix ms; 0 if absent."""
    value = record.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 10**11:
        raise InvalidArgument(f"{name} must be unix seconds")
    return round(value * 1000)


def _object(record: dict[str, Any], name: str) -> dict[str, Any]:
    value = record.get(name) or {}
    if not isinstance(value, dict):
        raise InvalidArgument(f"{name} must be an object")
    return value


def _list(record: dict[str, Any], name: str) -> list[Any]:
    value = record.get(name) or []
    if not isinstance(value, list):
        raise InvalidArgument(f"{name} must be a list")
    return value


def _login_ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise InvalidArgument("loginIds must be a non-empty list of strings")
    normalized = [normalize_login_id(item) for item in value]
    if not all(normalized) or any(len(item) > 320 for item in normalized):
        raise InvalidArgument("a login ID is empty or longer than 320 characters")
    return tuple(dict.fromkeys(normalized))


def _status(value: Any) -> UserStatus:
    try:
        return UserStatus(value or UserStatus.ENABLED.value)
    except ValueError as exc:
        raise InvalidArgument("status must be enabled, disabled or invited") from exc


def _names(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise InvalidArgument(f"{name} must be a list of names")
    return tuple(dict.fromkeys(value))


def _tenants(value: Any) -> tuple[TenantRoles, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidArgument("userTenants must be a list of {tenantId, roleNames}")
    tenants = []
    for item in value:
        tenant_id = item.get("tenantId")
        if not isinstance(tenant_id, str) or not tenant_id:
            raise InvalidArgument("userTenants: each needs a tenantId")
        tenants.append(TenantRoles(tenant_id, _names(item.get("roleNames"), "userTenants.roleNames")))
    return tuple(tenants)


def _totp(value: Any, user_id: str, secrets: Secrets) -> str:
    """The sealed secret to store: a clear one sealed now, a sealed one kept as it is once it
    is known to open here (for this user ID)."""
    if value is None:
        return ""
    if not isinstance(value, dict) or len(value) != 1 or not isinstance(next(iter(value.values())), str):
        raise InvalidArgument('totp must be {"secret": <base32>} or {"sealed": <text>}')
    if "secret" in value:
        return totp.sealed_seed(secrets, user_id, value["secret"])
    if "sealed" in value:
        if not totp.opens(secrets, user_id, value["sealed"]):
            raise InvalidArgument("totp.sealed does not open with this server's key: export it with --clear-secrets")
        return str(value["sealed"])
    raise InvalidArgument('totp must be {"secret": <base32>} or {"sealed": <text>}')


def _passkey(item: Any, project_id: str, user_id: str) -> Credential:
    if not isinstance(item, dict):
        raise InvalidArgument("passkeys: each is an object")
    credential_id, public_key = item.get("credentialId"), item.get("publicKey")
    if not (isinstance(credential_id, str) and credential_id and isinstance(public_key, str) and public_key):
        raise InvalidArgument("passkeys: each needs credentialId and publicKey (base64url)")
    transports = item.get("transports") or []
    if not isinstance(transports, list) or not all(isinstance(t, str) for t in transports):
        raise InvalidArgument("passkeys: transports must be a list of strings")
    return Credential(
        project_id=project_id,
        credential_id=credential_id,
        user_id=user_id,
        public_key=public_key,
        sign_count=_count(item, "signCount"),
        transports=tuple(transports),
        aaguid=_text(item, "aaguid", 36),
        backup_eligible=_flag(item, "backupEligible"),
        backup_state=_flag(item, "backedUp"),
        name=_text(item, "name", 200),
        rp_id=_text(item, "rpId", 253),
        created_at_ms=_count(item, "createdTime"),
        last_used_at_ms=_count(item, "lastUsedTime"),
    )


def _identity(item: Any, project_id: str, user_id: str) -> Identity:
    if not isinstance(item, dict):
        raise InvalidArgument("identities: each is an object")
    provider, subject = _text(item, "provider", 200), _text(item, "subject", 255)
    if not provider or not subject:
        raise InvalidArgument("identities: each needs provider and subject")
    return Identity(project_id, provider, subject, user_id, _text(item, "email"), "")


def _count(item: dict[str, Any], name: str) -> int:
    value = item.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"passkeys: {name} must be a whole number")
    return value


# --- writing ----------------------------------------------------------------------------------
def record_of(
    user: User,
    password: PasswordRow | None,
    totp_secret: str,
    passkeys: list[Credential],
    identities: list[Identity] | None = None,
) -> dict[str, Any]:
    """The record of a stored user. ``totp_secret`` is ``{"secret"|"sealed": ...}`` as the
    export chose, or "" for none."""
    record: dict[str, Any] = {
        "userId": user.id,
        "loginIds": list(user.login_ids),
        "status": user.status.value,
        "test": user.test,
        "createdTime": _seconds(round(user.created_at * 1000)),
        "name": user.name,
        "givenName": user.given_name,
        "middleName": user.middle_name,
        "familyName": user.family_name,
        "picture": user.picture,
        "email": user.email,
        "verifiedEmail": user.verified_email,
        "phone": user.phone,
        "verifiedPhone": user.verified_phone,
        "customAttributes": user.custom_attributes,
        "roleNames": list(user.authz.role_names),
        "userTenants": [{"tenantId": t.tenant_id, "roleNames": list(t.role_names)} for t in user.authz.tenants],
    }
    if password is not None:
        record["hashedPassword"] = passwords.exported_hash(password.hash)
        record["passwordExpired"] = password.must_change
        record["passwordSetTime"] = _seconds(password.set_at_ms)
    record["totp"] = totp_secret
    record["passkeys"] = [_passkey_record(credential) for credential in passkeys]
    record["identities"] = [
        {k: v for k, v in {"provider": i.provider, "subject": i.subject, "email": i.email}.items() if v}
        for i in identities or ()
    ]
    return {key: value for key, value in record.items() if value not in ("", [], {}, False)}


def _passkey_record(credential: Credential) -> dict[str, Any]:
    return {
        "credentialId": credential.credential_id,
        "publicKey": credential.public_key,
        "signCount": credential.sign_count,
        "transports": list(credential.transports),
        "aaguid": credential.aaguid,
        "backupEligible": credential.backup_eligible,
        "backedUp": credential.backup_state,
        "name": credential.name,
        "rpId": credential.rp_id,
        "createdTime": credential.created_at_ms,
        "lastUsedTime": credential.last_used_at_ms,
    }


def _seconds(ms: int) -> int | float:
    """Unix ms as seconds: whole when it is, else with its milliseconds (so nothing is lost)."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
