"""Management of users: create (and test users), load, delete, plus test-user helpers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from passgate.addresses import normalize_email, normalize_login_id, normalize_phone
from passgate.auth import accounts, intents, otp
from passgate.auth.context import AuthContext
from passgate.errors import ManagedUserNotFound, MissingArgument
from passgate.models import Method, Project, User, UserProfile
from passgate.storage import sessions_store, users_store
from passgate.storage.database import Transaction


@dataclass(frozen=True)
class NewUser:
    login_id: str
    profile: UserProfile
    additional_login_ids: tuple[str, ...] = ()
    test: bool = False


def _normalized_profile(profile: UserProfile) -> UserProfile:
    return dataclasses.replace(
        profile,
        email=normalize_email(profile.email) if profile.email else "",
        phone=normalize_phone(profile.phone) if profile.phone else "",
    )


async def create_user(ctx: AuthContext, project: Project, new: NewUser) -> User:
    """Create a user directly (no verification); ``UserAlreadyExists`` on a taken login ID."""
    if not new.login_id.strip():
        raise MissingArgument("loginId is required")
    login_ids = [normalize_login_id(login_id) for login_id in (new.login_id, *new.additional_login_ids)]
    async with ctx.db.transaction() as tx:
        return await accounts.create_user(
            tx,
            project_id=project.id,
            login_ids=login_ids,
            profile=_normalized_profile(new.profile),
            test=new.test,
            now=ctx.clock.now(),
        )


async def _find(tx: Transaction, project: Project, login_id: str | None, user_id: str | None) -> User | None:
    if user_id:
        return await users_store.find_by_id(tx, project.id, user_id)
    if login_id:
        return await users_store.find_by_login_id(tx, project.id, normalize_login_id(login_id))
    raise MissingArgument("loginId or userId is required")


async def load_user(
    ctx: AuthContext, project: Project, *, login_id: str | None = None, user_id: str | None = None
) -> User:
    """The user by login ID or user ID; ``ManagedUserNotFound`` if absent."""
    async with ctx.db.transaction(write=False) as tx:
        user = await _find(tx, project, login_id, user_id)
    if user is None:
        raise ManagedUserNotFound()
    return user


async def delete_user(
    ctx: AuthContext, project: Project, *, login_id: str | None = None, user_id: str | None = None
) -> None:
    """Delete the user and every session it had (its refresh tokens stop working at once).

    Deleting a user that does not exist succeeds, as in Descope (idempotent deletes).
    """
    async with ctx.db.transaction() as tx:
        user = await _find(tx, project, login_id, user_id)
        if user is not None:
            await sessions_store.revoke_all_of_user(tx, user.id, ctx.now_ms())
            await users_store.delete_user(tx, user.id)


async def generate_test_otp(
    ctx: AuthContext, project: Project, login_id: str, method: Method | None, claims: dict[str, Any]
) -> str:
    """A fresh code for a test user, delivered to nobody; verify it at the OTP verify route.

    ``method=None`` is Descope's ``Embedded``: the code verifies at any method's route.
    ``claims`` become top-level claims of the session it earns.
    """
    async with ctx.db.transaction() as tx:
        intent = intents.with_management_claims(await intents.for_test_user(tx, project, login_id, method), claims)
        issued = await otp.issue_code(tx, ctx, project, intent, method)
    return issued.code
