"""Management of users: create (one, test, batch; invited ones are sent their invitation),
update, patch (one, batch), load, search, delete (one, batch), plus the test-user OTP
helper. Single-aspect edits (login ID, addresses, roles, tenants) are in ``user_edits``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from passgate.addresses import leniently, normalize_email, normalize_login_id, normalize_phone
from passgate.auth import accounts, intents, otp, passwords, totp
from passgate.auth.context import AuthContext
from passgate.errors import (
    InvalidArgument,
    ManagedUserNotFound,
    MissingArgument,
    PassgateError,
    UserAlreadyExists,
)
from passgate.mgmt import custom_attributes, grants, invitations
from passgate.mgmt.grants import TenantRoles
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.users import User, UserProfile, UserQuery, UserStatus
from passgate.storage import sessions_store, user_search, users_store
from passgate.storage.database import IntegrityViolation, Transaction

Asked = TypeVar("Asked")


@dataclass(frozen=True)
class UserFields:
    """What a create, update or patch says about a user. ``None`` means "not given": a patch
    leaves the field alone, a create leaves it empty (``replacing_all`` makes a full update)."""

    name: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    picture: str | None = None
    verified_email: bool | None = None
    verified_phone: bool | None = None
    custom_attributes: dict[str, Any] | None = None
    additional_login_ids: tuple[str, ...] | None = None
    status: UserStatus | None = None
    role_names: tuple[str, ...] | None = None
    tenants: tuple[TenantRoles, ...] | None = None

    def replacing_all(self) -> UserFields:
        """The same fields as a full replace: what is not given becomes empty.

        Verification flags and status stay "not given": an unchanged address keeps its flag.
        """
        return dataclasses.replace(
            self,
            name=self.name or "",
            given_name=self.given_name or "",
            middle_name=self.middle_name or "",
            family_name=self.family_name or "",
            email=self.email or "",
            phone=self.phone or "",
            picture=self.picture or "",
            custom_attributes=self.custom_attributes or {},
            additional_login_ids=self.additional_login_ids or (),
            role_names=self.role_names or (),
            tenants=self.tenants or (),
        )


@dataclass(frozen=True)
class NewUser:
    login_id: str
    fields: UserFields = field(default_factory=UserFields)
    test: bool = False
    # Invite (Descope): the user is ``invited`` until its first sign-in, and is sent an
    # invitation (test users never are: nothing is sent to them).
    invitation: invitations.Invitation | None = None
    totp_seed: str = ""  # an authenticator app's base32 secret, imported confirmed (Descope's ``seed``)
    password: str = ""  # a cleartext password (checked against the project's policy, then hashed)
    hashed_password: str = ""  # a hash from another system, in its stored form (rehashed at first sign-in)


@dataclass(frozen=True)
class UserPatch:
    """One user of a batch patch: whom (by login ID) and the fields to change."""

    login_id: str
    fields: UserFields


@dataclass(frozen=True)
class BatchResult(Generic[Asked]):
    done: list[User]  # the users created or patched
    failed: list[tuple[Asked, str]]  # what was asked for a user, and why it was not done


# --- lookups ------------------------------------------------------------------------------
async def _find(tx: Transaction, project: Project, login_id: str | None, user_id: str | None) -> User | None:
    if user_id:
        return await users_store.find_by_id(tx, project.id, user_id)
    if login_id:
        return await users_store.find_by_login_id(tx, project.id, normalize_login_id(login_id))
    raise MissingArgument("loginId or userId is required")


async def require_user(
    tx: Transaction, project: Project, *, login_id: str | None = None, user_id: str | None = None
) -> User:
    """The user by login ID or user ID; ``ManagedUserNotFound`` if absent."""
    user = await _find(tx, project, login_id, user_id)
    if user is None:
        raise ManagedUserNotFound()
    return user


async def _reloaded(tx: Transaction, user: User) -> User:
    found = await users_store.find_by_id(tx, user.project_id, user.id)
    assert found is not None  # read back in the transaction that changed it
    return found


async def edit_user(
    ctx: AuthContext, project: Project, login_id: str | None, edit: Callable[[Transaction, User], Awaitable[None]]
) -> User:
    """Apply ``edit`` to the user named by ``login_id`` in one write transaction; the user after it."""
    if not login_id:
        raise MissingArgument("loginId is required")
    async with ctx.db.transaction() as tx:
        user = await require_user(tx, project, login_id=login_id)
        await edit(tx, user)
        return await _reloaded(tx, user)


async def load_user(
    ctx: AuthContext, project: Project, *, login_id: str | None = None, user_id: str | None = None
) -> User:
    """The user by login ID or user ID; ``ManagedUserNotFound`` if absent."""
    async with ctx.db.transaction(write=False) as tx:
        return await require_user(tx, project, login_id=login_id, user_id=user_id)


async def load_users(ctx: AuthContext, project: Project, user_ids: Sequence[str]) -> list[User]:
    """The project's users among ``user_ids``, in that order (unknown IDs are left out)."""
    async with ctx.db.transaction(write=False) as tx:
        return await users_store.find_many(tx, project.id, list(user_ids))


async def search_users(ctx: AuthContext, project: Project, query: UserQuery) -> tuple[list[User], int]:
    """A page of the users matching ``query`` and how many match in all."""
    statuses = {status.value for status in UserStatus}
    if bad := [status for status in query.statuses if status not in statuses]:
        raise InvalidArgument(f"Unknown status {bad[0][:32]}; use one of {', '.join(sorted(statuses))}")
    query = dataclasses.replace(
        query,
        emails=tuple(leniently(normalize_email, email) for email in query.emails),
        phones=tuple(leniently(normalize_phone, phone) for phone in query.phones),
        login_ids=tuple(leniently(normalize_login_id, login_id) for login_id in query.login_ids),
    )
    async with ctx.db.transaction(write=False) as tx:
        return await user_search.search(tx, project.id, query)


# --- create ------------------------------------------------------------------------------
async def create_user(ctx: AuthContext, project: Project, new: NewUser) -> User:
    """Create a user directly (no verification), with its roles and tenants; an invited
    user is sent its invitation (``mgmt/invitations.py``), queued in the same transaction.

    ``UserAlreadyExists`` on a taken login ID; ``RoleNotFound`` / ``TenantNotFound`` on an
    unknown name, ``InvalidArgument`` on a custom attribute the project's definitions do
    not allow or an invitation that cannot be sent (nothing is created then).
    """
    if not new.login_id.strip():
        raise MissingArgument("loginId is required")
    fields = new.fields
    login_ids = _login_ids(new.login_id, fields.additional_login_ids or ())
    status = fields.status or (UserStatus.INVITED if new.invitation else UserStatus.ENABLED)
    hashed = new.hashed_password or (
        await passwords.hash_for_new_user(ctx, project, login_ids, new.password) if new.password else ""
    )
    async with ctx.db.transaction() as tx:
        await custom_attributes.check_values(tx, project.id, fields.custom_attributes or {})
        user = await accounts.create_user(
            tx,
            project_id=project.id,
            login_ids=list(login_ids),
            profile=_profile(fields),
            test=new.test,
            now=ctx.clock.now(),
            status=status,
        )
        if fields.role_names or fields.tenants:
            await _apply_grants(tx, project, user, fields, ctx.now_ms())
            user = await _reloaded(tx, user)
        if new.totp_seed:
            user = await totp.import_seed(tx, ctx, user, new.totp_seed)
        if hashed:
            user = await passwords.store(tx, ctx, user, hashed, must_change=False)
        sent = 0
        if new.invitation is not None and not new.test:
            sent = await invitations.queue_invitation(tx, ctx, project, user, new.invitation)
    if sent:
        ctx.notify_outbox()
    return user


async def create_users(ctx: AuthContext, project: Project, batch: Sequence[NewUser]) -> BatchResult[NewUser]:
    """Create each user in its own transaction: one failing user does not stop the others."""
    return await _each(batch, lambda new: create_user(ctx, project, new))


async def _each(batch: Sequence[Asked], work: Callable[[Asked], Awaitable[User]]) -> BatchResult[Asked]:
    """``work`` done for each item in turn; an item that fails is reported with its reason."""
    result: BatchResult[Asked] = BatchResult(done=[], failed=[])
    for item in batch:
        try:
            result.done.append(await work(item))
        except PassgateError as error:
            result.failed.append((item, error.message))
    return result


def _login_ids(primary: str, additional: Sequence[str]) -> tuple[str, ...]:
    """The primary login ID then the additional ones, normalized, without repeats."""
    normalized = [normalize_login_id(login_id) for login_id in (primary, *additional)]
    if not all(normalized):
        raise InvalidArgument("Login IDs must not be empty")
    return tuple(dict.fromkeys(normalized))


def _profile(fields: UserFields) -> UserProfile:
    return UserProfile(
        name=fields.name or "",
        given_name=fields.given_name or "",
        middle_name=fields.middle_name or "",
        family_name=fields.family_name or "",
        email=normalize_email(fields.email) if fields.email else "",
        phone=normalize_phone(fields.phone) if fields.phone else "",
        picture=fields.picture or "",
        verified_email=bool(fields.verified_email),
        verified_phone=bool(fields.verified_phone),
        custom_attributes=fields.custom_attributes or {},
    )


async def _apply_grants(tx: Transaction, project: Project, user: User, fields: UserFields, now_ms: int) -> None:
    """Replace the project roles and the tenants, each only if given."""
    if fields.role_names is not None:
        await grants.set_project_roles(tx, project.id, user.id, fields.role_names)
    if fields.tenants is not None:
        await grants.set_tenants(tx, project.id, user.id, fields.tenants, now_ms, leave_others=True)


# --- update and patch --------------------------------------------------------------------
async def update_user(ctx: AuthContext, project: Project, login_id: str | None, fields: UserFields) -> User:
    """Replace everything about the user (Descope's update): what is not given becomes empty."""
    return await _change(ctx, project, login_id, fields.replacing_all(), merge_attributes=False)


async def patch_user(ctx: AuthContext, project: Project, login_id: str | None, fields: UserFields) -> User:
    """Change only the given fields; custom attributes are merged key by key."""
    return await _change(ctx, project, login_id, fields, merge_attributes=True)


async def patch_users(ctx: AuthContext, project: Project, batch: Sequence[UserPatch]) -> BatchResult[UserPatch]:
    """Patch each user in its own transaction (as ``patch_user``): one failing user, unknown
    or refused, does not stop the others."""
    return await _each(batch, lambda patch: patch_user(ctx, project, patch.login_id, patch.fields))


async def _change(
    ctx: AuthContext, project: Project, login_id: str | None, fields: UserFields, *, merge_attributes: bool
) -> User:
    async def edit(tx: Transaction, user: User) -> None:
        await custom_attributes.check_values(tx, project.id, fields.custom_attributes or {})
        changed = _changed(user, fields, ctx.clock.now(), merge_attributes=merge_attributes)
        await store_user(tx, changed)
        if changed.status is UserStatus.DISABLED and user.status is not UserStatus.DISABLED:
            await sessions_store.revoke_all_of_user(tx, user.id, ctx.now_ms())
        await _apply_grants(tx, project, user, fields, ctx.now_ms())

    return await edit_user(ctx, project, login_id, edit)


async def store_user(tx: Transaction, user: User) -> None:
    """Save ``user``; ``UserAlreadyExists`` if one of its login IDs belongs to another user."""
    try:
        await users_store.update_user(tx, user)
    except IntegrityViolation as exc:
        raise UserAlreadyExists("A login ID is already used by another user") from exc


def _changed(user: User, fields: UserFields, now: float, *, merge_attributes: bool) -> User:
    email = user.email if fields.email is None else (normalize_email(fields.email) if fields.email else "")
    phone = user.phone if fields.phone is None else (normalize_phone(fields.phone) if fields.phone else "")
    attributes = user.custom_attributes
    if fields.custom_attributes is not None:
        attributes = {**attributes, **fields.custom_attributes} if merge_attributes else fields.custom_attributes
    login_ids = user.login_ids
    if fields.additional_login_ids is not None:
        login_ids = _login_ids(user.login_ids[0], fields.additional_login_ids)
    texts = {name: getattr(fields, name) for name in ("name", "given_name", "middle_name", "family_name", "picture")}
    return dataclasses.replace(
        user,
        **{name: value for name, value in texts.items() if value is not None},
        email=email,
        verified_email=verified_flag(fields.verified_email, user.verified_email, user.email, email),
        phone=phone,
        verified_phone=verified_flag(fields.verified_phone, user.verified_phone, user.phone, phone),
        custom_attributes=attributes,
        login_ids=login_ids,
        status=fields.status or user.status,
        modified_at=now,
    )


def verified_flag(given: bool | None, current: bool, old_address: str, new_address: str) -> bool:
    """An address's verification flag: as given, else kept while the address is unchanged."""
    if not new_address:
        return False
    if given is not None:
        return given
    return current and old_address == new_address


# --- delete ------------------------------------------------------------------------------
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


async def delete_users(ctx: AuthContext, project: Project, user_ids: Sequence[str]) -> int:
    """Delete the users with these IDs and every session they had, in one transaction;
    unknown IDs are skipped (as ``delete_user``). How many were deleted."""
    if not user_ids:
        raise MissingArgument("At least one user ID is required")
    async with ctx.db.transaction() as tx:
        return await users_store.delete_users(tx, project.id, user_ids)


async def delete_test_users(ctx: AuthContext, project: Project) -> int:
    """Delete every test user of the project (their sessions, memberships and grants too)."""
    async with ctx.db.transaction() as tx:
        return await users_store.delete_test_users(tx, project.id)


# --- test helpers --------------------------------------------------------------------------
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
