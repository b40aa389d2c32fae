"""What a verified challenge does to users: create on sign-up, confirm an address on
sign-in, apply an address update (merging two users when the address is taken).

Merging follows Descope: with ``addToLoginIDs`` and the new address already a login ID of
another user, the *updated* user survives by default and absorbs the other; with
``onMergeUseExisting`` the *existing* user survives and the updated one is absorbed (its
refresh tokens die with it). The absorbed user's login IDs and empty-on-survivor profile
fields move to the survivor.
"""

from __future__ import annotations

import dataclasses

from passgate.errors import UserAlreadyExists, UserDisabled, UserNotFound
from passgate.identifiers import new_user_id
from passgate.models.delivery import Method
from passgate.models.users import User, UserProfile, UserStatus
from passgate.storage import identities_store, sessions_store, users_store
from passgate.storage.database import IntegrityViolation, Transaction

_MERGEABLE_FIELDS = ("name", "given_name", "middle_name", "family_name", "picture")


def with_verified_address(user: User, method: Method, address: str, now: float) -> User:
    """``user`` with ``address`` set as its verified email or phone."""
    if method.is_phone:
        return dataclasses.replace(user, phone=address, verified_phone=True, modified_at=now)
    return dataclasses.replace(user, email=address, verified_email=True, modified_at=now)


def with_verified_profile_address(profile: UserProfile, method: Method, address: str) -> UserProfile:
    """``profile`` with ``address`` as its verified email or phone."""
    if method.is_phone:
        return dataclasses.replace(profile, phone=address, verified_phone=True)
    return dataclasses.replace(profile, email=address, verified_email=True)


async def create_user(
    tx: Transaction,
    *,
    project_id: str,
    login_ids: list[str],
    profile: UserProfile,
    test: bool,
    now: float,
    status: UserStatus = UserStatus.ENABLED,
    user_id: str = "",
) -> User:
    """Insert a new user (enabled unless told); ``UserAlreadyExists`` if a login ID is taken."""
    user = User(
        id=user_id or new_user_id(),
        project_id=project_id,
        login_ids=tuple(dict.fromkeys(login_ids)),
        status=status,
        created_at=now,
        modified_at=now,
        name=profile.name,
        given_name=profile.given_name,
        middle_name=profile.middle_name,
        family_name=profile.family_name,
        email=profile.email,
        verified_email=profile.verified_email,
        phone=profile.phone,
        verified_phone=profile.verified_phone,
        picture=profile.picture,
        test=test,
        custom_attributes=profile.custom_attributes,
    )
    try:
        await users_store.insert_user(tx, user)
    except IntegrityViolation as exc:
        raise UserAlreadyExists() from exc
    return user


async def load_signable_user(tx: Transaction, project_id: str, user_id: str | None) -> User:
    """The user a sign-in challenge was issued for, still present and not disabled."""
    user = await users_store.find_by_id(tx, project_id, user_id) if user_id else None
    if user is None:
        raise UserNotFound()
    if user.status is UserStatus.DISABLED:
        raise UserDisabled()
    return user


async def confirm_sign_in(tx: Transaction, user: User, method: Method, address: str, now: float) -> User:
    """Mark the address the secret went to (if any) as verified; an invited user becomes enabled."""
    updated = with_verified_address(user, method, address, now) if address else user
    if updated.status is UserStatus.INVITED:
        updated = dataclasses.replace(updated, status=UserStatus.ENABLED)
    if updated != user:
        await users_store.update_user(tx, updated, previous=user)
    return updated


async def apply_address_update(
    tx: Transaction,
    user: User,
    *,
    method: Method,
    address: str,
    add_to_login_ids: bool,
    merge_into_existing: bool,
    now: float,
) -> User:
    """Set ``address`` on ``user`` (verified); returns the user who holds it afterwards."""
    updated = with_verified_address(user, method, address, now)
    if not add_to_login_ids:
        await users_store.update_user(tx, updated, previous=user)
        return updated
    owner_id = await users_store.login_id_owner(tx, user.project_id, address)
    if owner_id is None or owner_id == user.id:
        updated = dataclasses.replace(updated, login_ids=tuple(dict.fromkeys((*updated.login_ids, address))))
        await users_store.update_user(tx, updated, previous=user)
        return updated
    existing = await users_store.find_by_id(tx, user.project_id, owner_id)
    assert existing is not None  # the login ID row references it under a foreign key
    if merge_into_existing:
        return await _merge(
            tx, survivor=with_verified_address(existing, method, address, now), absorbed=updated, now=now
        )
    return await _merge(tx, survivor=updated, absorbed=existing, now=now)


async def _merge(tx: Transaction, *, survivor: User, absorbed: User, now: float) -> User:
    filled = {name: getattr(absorbed, name) for name in _MERGEABLE_FIELDS if not getattr(survivor, name)}
    merged = dataclasses.replace(
        survivor,
        login_ids=tuple(dict.fromkeys((*survivor.login_ids, *absorbed.login_ids))),
        custom_attributes={**absorbed.custom_attributes, **survivor.custom_attributes},
        oauth=tuple(dict.fromkeys((*survivor.oauth, *absorbed.oauth))),  # the identities move too
        saml=survivor.saml or absorbed.saml,
        modified_at=now,
        **filled,
    )
    now_ms = int(now * 1000)
    await sessions_store.revoke_all_of_user(tx, absorbed.id, now_ms)
    await sessions_store.move_sessions(tx, absorbed.id, survivor.id)
    await identities_store.move(tx, absorbed.id, survivor.id, now_ms)
    await users_store.delete_user(tx, absorbed.id)
    await users_store.update_user(tx, merged)
    return merged
