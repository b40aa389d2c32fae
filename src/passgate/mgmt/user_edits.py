"""Single-aspect changes to a user by management: login ID, email or phone, roles, tenants,
sessions (logout everywhere), and its sign-in history.

Name, picture, custom attribute and status changes are patches (``users.patch_user``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from passgate.addresses import normalize_email, normalize_login_id, normalize_phone
from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, MissingArgument, UserAlreadyExists
from passgate.mgmt import grants
from passgate.mgmt.grants import RoleChange
from passgate.mgmt.users import edit_user, require_user, store_user, verified_flag
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord
from passgate.models.users import User
from passgate.storage import grants_store, sessions_store, users_store
from passgate.storage.database import Transaction

HISTORY_LIMIT = 1000  # sign-ins answered per history call, newest first


async def update_login_id(ctx: AuthContext, project: Project, login_id: str | None, new_login_id: str | None) -> User:
    """Replace the login ID ``login_id`` by ``new_login_id`` (same position), or remove it when
    the new one is empty. A user keeps at least one login ID (``InvalidArgument``)."""
    target = normalize_login_id(login_id) if login_id else ""
    replacement = normalize_login_id(new_login_id) if new_login_id else ""

    async def edit(tx: Transaction, user: User) -> None:
        if replacement:
            login_ids = tuple(dict.fromkeys(replacement if item == target else item for item in user.login_ids))
        else:
            login_ids = tuple(item for item in user.login_ids if item != target)
        if not login_ids:
            raise InvalidArgument("A user must keep at least one login ID")
        await store_user(tx, dataclasses.replace(user, login_ids=login_ids, modified_at=ctx.clock.now()))

    return await edit_user(ctx, project, login_id, edit)


async def update_address(
    ctx: AuthContext,
    project: Project,
    login_id: str | None,
    *,
    phone: bool,
    address: str,
    verified: bool | None,
    fail_on_conflict: bool,
) -> User:
    """Set (or, when empty, remove) the user's email or phone.

    When the old address is one of the user's login IDs, the new one replaces it there too
    (contract §4). If another user already has the new address as a login ID, that login ID
    is left alone and only the address changes, unless ``fail_on_conflict`` asks for
    ``UserAlreadyExists``.
    """
    new_address = (normalize_phone(address) if phone else normalize_email(address)) if address else ""

    async def edit(tx: Transaction, user: User) -> None:
        old_address = user.phone if phone else user.email
        login_ids = user.login_ids
        if new_address and old_address != new_address and old_address in login_ids:
            owner = await users_store.login_id_owner(tx, project.id, new_address)
            if owner is None:
                login_ids = tuple(dict.fromkeys(new_address if item == old_address else item for item in login_ids))
            elif owner != user.id and fail_on_conflict:
                raise UserAlreadyExists("The address is already another user's login ID")
        moved = dataclasses.replace(user, login_ids=login_ids, modified_at=ctx.clock.now())
        if phone:
            flag = verified_flag(verified, user.verified_phone, old_address, new_address)
            await store_user(tx, dataclasses.replace(moved, phone=new_address, verified_phone=flag))
        else:
            flag = verified_flag(verified, user.verified_email, old_address, new_address)
            await store_user(tx, dataclasses.replace(moved, email=new_address, verified_email=flag))

    return await edit_user(ctx, project, login_id, edit)


async def change_roles(
    ctx: AuthContext,
    project: Project,
    login_id: str | None,
    names: Sequence[str],
    change: RoleChange,
    tenant_id: str = "",
) -> User:
    """Set, add or remove the user's project roles, or its roles in ``tenant_id``."""

    async def edit(tx: Transaction, user: User) -> None:
        await grants.change_roles(tx, project.id, user.id, tenant_id, names, change, ctx.now_ms())
        await users_store.touch(tx, user.id, ctx.now_ms())

    return await edit_user(ctx, project, login_id, edit)


async def add_tenant(ctx: AuthContext, project: Project, login_id: str | None, tenant_id: str | None) -> User:
    """Make the user a member of the tenant (``TenantNotFound`` if there is none)."""
    if not tenant_id:
        raise MissingArgument("tenantId is required")

    async def edit(tx: Transaction, user: User) -> None:
        await grants.join_tenant(tx, project.id, user.id, tenant_id, ctx.now_ms())
        await users_store.touch(tx, user.id, ctx.now_ms())

    return await edit_user(ctx, project, login_id, edit)


async def remove_tenant(ctx: AuthContext, project: Project, login_id: str | None, tenant_id: str | None) -> User:
    """End the user's membership of the tenant and its roles there (no-op if not a member)."""
    if not tenant_id:
        raise MissingArgument("tenantId is required")

    async def edit(tx: Transaction, user: User) -> None:
        await grants_store.leave_tenant(tx, user.id, tenant_id)
        await users_store.touch(tx, user.id, ctx.now_ms())

    return await edit_user(ctx, project, login_id, edit)


async def logout_user(
    ctx: AuthContext, project: Project, *, login_id: str | None = None, user_id: str | None = None
) -> None:
    """Revoke every refresh token of the user (its session JWTs live until they expire)."""
    async with ctx.db.transaction() as tx:
        user = await require_user(tx, project, login_id=login_id, user_id=user_id)
        await sessions_store.revoke_all_of_user(tx, user.id, ctx.now_ms())


async def history(ctx: AuthContext, project: Project, user_ids: Sequence[str]) -> list[SessionRecord]:
    """The sign-ins of the given users (each session is one), newest first."""
    if not user_ids:
        raise MissingArgument("At least one user ID is required")
    async with ctx.db.transaction(write=False) as tx:
        return await sessions_store.history_of_users(tx, project.id, list(user_ids), HISTORY_LIMIT)
