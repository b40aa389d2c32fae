"""Which user a provider identity signs in: the user already linked to it; else the user
whose login ID is the email the provider asserts *verified*, when that user verified it
too and the provider's linking is on; else a new user (unless sign-up is refused).

An email the provider does not assert verified never links and never becomes a login ID:
the new user's login ID is then ``<provider>-<subject>`` and the email is kept unverified
in its profile. Otherwise whoever controls an unverified address at a provider could take
over, or pre-create, the account of the address's owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.addresses import normalize_email
from passgate.auth import accounts
from passgate.auth.oauth_providers import ProviderUser
from passgate.errors import OAuthAccountExists, UserAlreadyExists, UserNotFound
from passgate.models.oauth import OAuthProvider
from passgate.models.users import User, UserProfile
from passgate.storage import identities_store, users_store
from passgate.storage.database import Transaction
from passgate.storage.identities_store import Identity

SIGN_UP_OR_IN, SIGN_UP, SIGN_IN = "signup-in", "signup", "signin"


@dataclass(frozen=True)
class Account:
    user: User
    first_seen: bool  # created by this sign-in


async def account_for(
    tx: Transaction,
    *,
    project_id: str,
    name: str,
    provider: OAuthProvider,
    asserted: ProviderUser,
    mode: str,
    tokens: str,
    now: float,
) -> Account:
    """The account ``asserted`` signs in (linked or created as the module docstring says);
    ``UserNotFound`` when it would need a new user and sign-up is off, ``UserAlreadyExists``
    for a sign-up-only start of a known identity, ``OAuthAccountExists`` for an email that
    may not be linked."""
    now_ms = int(now * 1000)
    email = normalize_email(asserted.email) if asserted.email else ""
    identity = await identities_store.find(tx, project_id, name, asserted.subject)
    if identity is not None:
        if mode == SIGN_UP:
            raise UserAlreadyExists()
        await identities_store.touch(tx, identity, email, tokens, now_ms)
        return Account(await accounts.load_signable_user(tx, project_id, identity.user_id), first_seen=False)
    linkable = await _linkable_user(tx, project_id, provider, asserted, email)
    if linkable is not None:
        if mode == SIGN_UP:
            raise UserAlreadyExists()
        await identities_store.link(tx, _identity(project_id, name, asserted, linkable.id, email, tokens), now_ms)
        return Account(await accounts.load_signable_user(tx, project_id, linkable.id), first_seen=False)
    if mode == SIGN_IN or not provider.sign_up:
        raise UserNotFound("No user is linked to this provider identity, and sign-up is off")
    user = await _new_user(tx, project_id, name, asserted, email, now)
    await identities_store.link(tx, _identity(project_id, name, asserted, user.id, email, tokens), now_ms)
    created = await users_store.find_by_id(tx, project_id, user.id)
    return Account(created or user, first_seen=True)


async def _linkable_user(
    tx: Transaction, project_id: str, provider: OAuthProvider, asserted: ProviderUser, email: str
) -> User | None:
    """The existing user the identity may join; ``OAuthAccountExists`` when a user holds the
    email as login ID but may not be joined."""
    if not email:
        return None
    existing = await users_store.find_by_login_id(tx, project_id, email)
    if existing is None:
        return None
    if asserted.email_verified and provider.link_verified_email and existing.verified_email and existing.email == email:
        return existing
    raise OAuthAccountExists()


async def _new_user(
    tx: Transaction, project_id: str, name: str, asserted: ProviderUser, email: str, now: float
) -> User:
    verified = bool(email) and asserted.email_verified
    login_id = email if verified else f"{name}-{asserted.subject}"
    profile = UserProfile(
        name=asserted.name[:400],
        given_name=asserted.given_name[:200],
        family_name=asserted.family_name[:200],
        picture=asserted.picture[:2000],
        email=email,
        verified_email=verified,
    )
    return await accounts.create_user(
        tx, project_id=project_id, login_ids=[login_id], profile=profile, test=False, now=now
    )


def _identity(project_id: str, name: str, asserted: ProviderUser, user_id: str, email: str, tokens: str) -> Identity:
    return Identity(
        project_id=project_id, provider=name, subject=asserted.subject, user_id=user_id, email=email, tokens=tokens
    )
