"""Access-key secrets and the exchange of an access key for a session JWT (contract §2.7).

A cleartext is ``<keyId>_<256 random bits, base64url>``: it never contains ``:`` or ``.``
(bearer parts are split on ``:``, and a part with two dots is taken for a JWT). Only a
keyed hash of it is stored, HMAC-SHA256 under a key derived from the master secret and
bound to the key ID: the secret has full entropy, so a fast hash is right, and the key
makes a stolen table useless on its own. The embedded ID makes lookup a primary-key read
followed by a constant-time comparison, and lets a failed attempt be attributed to a key.

The exchanged JWT (``drn=DS``, no refresh token) has ``sub`` = key ID, ``iss``/``aud`` =
the project, the key's authorization (or its bound user's), its custom claims at the top
level, and lives for the project's session lifetime, capped at the key's expiry.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Any

from passgate.auth.claims import (
    SELECTED_TENANT,
    SESSION_DRN,
    checked_custom_claims,
    custom_claims,
    registered_claims,
)
from passgate.auth.context import AuthContext, Caller
from passgate.crypto import tokens
from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidAccessKey, InvalidArgument, MissingAccessKey, NotATenantMember
from passgate.models.access_keys import ACTIVE, AccessKeyRecord
from passgate.models.authz import Authorization
from passgate.models.projects import Project
from passgate.models.users import UserStatus
from passgate.storage import access_keys_store, users_store

_SEPARATOR = "_"  # key IDs are alphanumeric, so the first "_" ends the ID


def new_cleartext(key_id: str) -> str:
    """A fresh secret for ``key_id``, in the form the exchange expects."""
    return f"{key_id}{_SEPARATOR}{secrets.token_urlsafe(32)}"


def secret_hash(keys: Secrets, key_id: str, cleartext: str) -> str:
    """The stored form of ``cleartext`` (64 hex characters)."""
    return keys.code_mac("access-key", key_id, cleartext)


def permitted_ips(entries: Sequence[str]) -> tuple[str, ...]:
    """``entries`` as given, once each is known to be an IP address or a CIDR range."""
    for entry in entries:
        try:
            ip_network(entry, strict=False)
        except ValueError as exc:
            raise InvalidArgument(f"Not an IP address or CIDR range: {entry[:60]}") from exc
    return tuple(entries)


def ip_permitted(ip: str, entries: Sequence[str]) -> bool:
    """Whether ``ip`` is allowed by ``entries`` (addresses or CIDR ranges; none = any)."""
    if not entries:
        return True
    try:
        address = ip_address(ip)
    except ValueError:
        return False
    candidates = [address]
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)  # ::ffff:a.b.c.d is a.b.c.d
    return any(candidate in ip_network(entry, strict=False) for entry in entries for candidate in candidates)


@dataclass(frozen=True)
class ExchangeOptions:
    """The exchange's ``loginOptions``."""

    custom_claims: dict[str, Any] = field(default_factory=dict)
    selected_tenant: str = ""


@dataclass(frozen=True)
class ExchangedSession:
    key_id: str
    session_jwt: str
    expires_at: int  # unix seconds


async def exchange(
    ctx: AuthContext, project: Project, cleartext: str | None, options: ExchangeOptions, caller: Caller
) -> ExchangedSession:
    """A session JWT for a valid access key.

    ``MissingAccessKey`` without a key; ``InvalidAccessKey`` for an unknown, wrong,
    inactive or expired key, a caller outside its permitted IPs, or a bound user who is
    gone or disabled; ``NotATenantMember`` if ``selected_tenant`` is not one of its tenants.
    """
    if not cleartext:
        raise MissingAccessKey("An access key is required (Authorization: Bearer <projectId>:<accessKey>)")
    key = await _verified_key(ctx, project, cleartext)
    _check_usable(ctx, key, caller)
    authz = await _authorization_of(ctx, project, key)
    if options.selected_tenant and authz.tenant(options.selected_tenant) is None:
        raise NotATenantMember(f"The access key is not a member of tenant {options.selected_tenant[:64]}")
    iat = int(ctx.clock.now())
    exp = iat + project.settings.session_ttl_seconds
    if key.expires_at_ms:
        exp = min(exp, key.expires_at_ms // 1000)
    claims: dict[str, Any] = {
        # the key's management-set claims win over the caller's own
        **checked_custom_claims(options.custom_claims),
        **custom_claims(key.custom_claims),
        **registered_claims(project, key.id, iat, exp, SESSION_DRN),
        **authz.claims(),
    }
    if options.selected_tenant:
        claims[SELECTED_TENANT] = options.selected_tenant
    signing_key = await ctx.keyring.signing_key(project)
    return ExchangedSession(key_id=key.id, session_jwt=tokens.sign(claims, signing_key), expires_at=exp)


async def _verified_key(ctx: AuthContext, project: Project, cleartext: str) -> AccessKeyRecord:
    key_id = cleartext.partition(_SEPARATOR)[0]
    async with ctx.db.transaction(write=False) as tx:
        key = await access_keys_store.find(tx, project.id, key_id)
    presented = secret_hash(ctx.secrets, key_id, cleartext)
    if key is None or not hmac.compare_digest(presented, key.secret_hash):
        raise InvalidAccessKey()
    return key


def _check_usable(ctx: AuthContext, key: AccessKeyRecord, caller: Caller) -> None:
    # Reasons are told only to a caller who proved possession of the secret.
    if key.status != ACTIVE:
        raise InvalidAccessKey("The access key is inactive")
    if key.expires_at_ms and ctx.now_ms() >= key.expires_at_ms:
        raise InvalidAccessKey("The access key has expired")
    if not ip_permitted(caller.ip, key.permitted_ips):
        raise InvalidAccessKey("The access key may not be used from this IP address")


async def _authorization_of(ctx: AuthContext, project: Project, key: AccessKeyRecord) -> Authorization:
    """The key's own authorization, or its bound user's (who must still exist and be enabled)."""
    if not key.bound_user_id:
        return key.authz
    async with ctx.db.transaction(write=False) as tx:
        user = await users_store.find_by_id(tx, project.id, key.bound_user_id)
    if user is None or user.status is UserStatus.DISABLED:
        raise InvalidAccessKey("The access key's user is gone or disabled")
    return user.authz
