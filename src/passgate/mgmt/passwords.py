"""Management of passwords: a user's (set active or temporary, expire) and the project's and
tenants' password policies (``/v1/mgmt/password/settings``)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from passgate.auth import passwords
from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, TenantNotFound
from passgate.mgmt.users import require_user
from passgate.models.passwords import PasswordPolicy
from passgate.models.projects import Project
from passgate.storage import password_policies_store, tenants_store
from passgate.storage.database import Transaction


async def set_password(ctx: AuthContext, project: Project, login_id: str, password: str, *, active: bool) -> None:
    """Give the user this password, checked against its policy: ``active``, or temporary
    (sign-in with it answers ``PasswordExpired`` until it is replaced)."""
    async with ctx.db.transaction(write=False) as tx:
        user = await require_user(tx, project, login_id=login_id)
    await passwords.set_by_management(ctx, user, password, active=active)


async def expire_password(ctx: AuthContext, project: Project, login_id: str) -> None:
    """Make the user replace its password before it signs in again."""
    async with ctx.db.transaction() as tx:
        await passwords.expire(tx, await require_user(tx, project, login_id=login_id))


async def policy(ctx: AuthContext, project: Project, tenant_id: str) -> PasswordPolicy:
    """The tenant's own policy, else the project's (``tenant_id`` "": the project's)."""
    async with ctx.db.transaction(write=False) as tx:
        if tenant_id:
            await _require_tenant(tx, project, tenant_id)
            own = await password_policies_store.policy(tx, project.id, tenant_id)
            if own is not None:
                return own
        return await password_policies_store.policy(tx, project.id) or PasswordPolicy()


async def change_policy(ctx: AuthContext, project: Project, tenant_id: str, changes: Mapping[str, object]) -> None:
    """Change the project's policy, or (``tenant_id``) that tenant's own for its members,
    by Descope's field names: those given replace the current values (a tenant's first own
    policy starts from the project's); ``InvalidArgument`` if the result is not a policy."""
    async with ctx.db.transaction() as tx:
        if tenant_id:
            await _require_tenant(tx, project, tenant_id)
        current = await password_policies_store.policy(tx, project.id, tenant_id)
        if current is None:
            current = await password_policies_store.policy(tx, project.id) or PasswordPolicy()
        try:
            changed = PasswordPolicy.model_validate({**current.model_dump(by_alias=True), **changes})
        except ValidationError as exc:
            raise InvalidArgument(f"Not a password policy: {exc.errors()[0]['msg']}") from exc
        await password_policies_store.put(tx, project.id, tenant_id, changed)


async def _require_tenant(tx: Transaction, project: Project, tenant_id: str) -> None:
    if await tenants_store.get_tenant(tx, project.id, tenant_id) is None:
        raise TenantNotFound(f"Tenant not found: {tenant_id}")
