"""Management of tenants' SSO (``client.mgmt.sso``): each configuration and the tenant's
SSO fields beside it (its ``auth_type`` and the email ``domains`` that route users to it),
changed together in one transaction.

Configuring OIDC or SAML also selects it as the configuration's ``auth_type``, as Descope
does; the OIDC client secret is sealed before it is stored and never read back in the clear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from passgate.auth import oauth_secrets
from passgate.auth.context import AuthContext
from passgate.auth.sso_accounts import secret_name
from passgate.errors import InvalidArgument, NotFound
from passgate.mgmt.tenants import clean_domains, existing_tenant
from passgate.models.oauth import SEALED_PREFIX
from passgate.models.projects import Project
from passgate.models.sso import AuthType, OIDCSettings, SAMLSettings, SSOConfiguration
from passgate.models.tenants import TenantRecord
from passgate.storage import sso_store, tenants_store

_MAX_SSO_ID = 64


@dataclass(frozen=True)
class Loaded:
    tenant: TenantRecord
    configuration: SSOConfiguration


def _sso_id(value: str | None) -> str:
    sso_id = value or ""
    if len(sso_id) > _MAX_SSO_ID:
        raise InvalidArgument("ssoId is at most 64 characters")
    return sso_id


async def load(ctx: AuthContext, project: Project, tenant_id: str, sso_id: str | None = None) -> Loaded:
    """The tenant and its configuration ``sso_id`` (an empty one when none is stored)."""
    chosen = _sso_id(sso_id)
    async with ctx.db.transaction(write=False) as tx:
        tenant = await existing_tenant(tx, project, tenant_id)
        found = await sso_store.find(tx, project.id, tenant_id, chosen)
    return Loaded(tenant, found or SSOConfiguration(tenant_id=tenant_id, sso_id=chosen))


async def load_all(ctx: AuthContext, project: Project, tenant_id: str) -> tuple[TenantRecord, list[SSOConfiguration]]:
    async with ctx.db.transaction(write=False) as tx:
        tenant = await existing_tenant(tx, project, tenant_id)
        return tenant, await sso_store.list_of_tenant(tx, project.id, tenant_id)


async def change(
    ctx: AuthContext,
    project: Project,
    tenant_id: str,
    sso_id: str | None,
    edit: Callable[[SSOConfiguration], SSOConfiguration],
    *,
    domains: Sequence[str] | None = None,
    set_domains: bool = False,
) -> SSOConfiguration:
    """Apply ``edit`` to the configuration (created when missing) and store it, the tenant's
    ``auth_type`` following it; with ``set_domains``, the tenant's SSO domains become
    ``domains`` (``None`` or empty: none)."""
    chosen = _sso_id(sso_id)
    cleaned = list(clean_domains(domains or ())) if set_domains else None
    async with ctx.db.transaction() as tx:
        tenant = await existing_tenant(tx, project, tenant_id)
        current = await sso_store.find(tx, project.id, tenant_id, chosen)
        edited = edit(current or SSOConfiguration(tenant_id=tenant_id, sso_id=chosen))
        await sso_store.put(tx, project.id, edited, ctx.now_ms())
        settings = tenant.settings.model_copy(
            update={"auth_type": edited.auth_type, **({"domains": cleaned} if cleaned is not None else {})}
        )
        await tenants_store.update_tenant(tx, project.id, replace(tenant, settings=settings))
    return edited


def with_oidc(
    ctx: AuthContext, project: Project, settings: OIDCSettings
) -> Callable[[SSOConfiguration], SSOConfiguration]:
    """An edit that makes ``settings`` the configuration's OIDC (secret sealed; an empty or
    ``"(sealed)"`` secret keeps the stored one) and selects OIDC."""

    def edit(current: SSOConfiguration) -> SSOConfiguration:
        secret = settings.client_secret
        if not secret or secret == oauth_secrets.SHOWN_SEALED:
            secret = current.oidc.client_secret
        elif not secret.startswith(SEALED_PREFIX):
            name = secret_name(current.tenant_id, current.sso_id)
            secret = oauth_secrets.seal(ctx.secrets, project.id, name, secret)
        return current.model_copy(
            update={"oidc": settings.model_copy(update={"client_secret": secret}), "auth_type": "oidc"}
        )

    return edit


def with_saml(settings: SAMLSettings, **fields: object) -> Callable[[SSOConfiguration], SSOConfiguration]:
    """An edit that makes ``settings`` the configuration's SAML (and ``fields`` its mappings,
    roles, redirect) and selects SAML."""

    def edit(current: SSOConfiguration) -> SSOConfiguration:
        return current.model_copy(update={"saml": settings, "auth_type": "saml", **fields})

    return edit


def with_auth_type(auth_type: AuthType) -> Callable[[SSOConfiguration], SSOConfiguration]:
    return lambda current: current.model_copy(update={"auth_type": auth_type})


def with_fields(**fields: object) -> Callable[[SSOConfiguration], SSOConfiguration]:
    return lambda current: current.model_copy(update=fields)


async def delete(ctx: AuthContext, project: Project, tenant_id: str, sso_id: str | None) -> None:
    """Delete the tenant's configuration (all of them without ``sso_id``); the tenant's SSO
    is then off (``auth_type`` none, no domains)."""
    async with ctx.db.transaction() as tx:
        tenant = await existing_tenant(tx, project, tenant_id)
        if not await sso_store.delete(tx, project.id, tenant_id, _sso_id(sso_id) if sso_id else None) and sso_id:
            raise NotFound(f"Tenant {tenant_id} has no SSO configuration {sso_id!r}")
        if not await sso_store.list_of_tenant(tx, project.id, tenant_id):
            settings = tenant.settings.model_copy(update={"auth_type": "none", "domains": []})
            await tenants_store.update_tenant(tx, project.id, replace(tenant, settings=settings))
