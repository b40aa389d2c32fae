"""Enterprise SSO, SP-initiated: ``/v1/auth/sso/authorize`` (and ``/v1/auth/saml/authorize``)
finds the tenant, then starts a sign-in at the tenant's identity provider.

The tenant is named by ``tenant``: its ID, else an email whose domain is one of a tenant's
SSO domains, else its name (contract part 2 §4.1). A tenant whose SSO is OIDC signs in
through the social-login machinery (``auth/oauth.py``: state, PKCE, nonce, the ID token
checked against the IdP's keys), with the tenant's configuration as the provider; the
return, the one-time code and its exchange are the same routes. ``amr`` is ``fed`` and the
session's ``dct`` is the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.auth import oauth, saml, sso_accounts
from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, TenantNotFound
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions
from passgate.models.sso import SSOConfiguration
from passgate.models.tenants import TenantRecord
from passgate.storage import sso_store, tenants_store
from passgate.storage.database import Transaction


@dataclass(frozen=True)
class Start:
    tenant: str  # ID, email or name
    redirect_url: str | None
    options: LoginOptions
    callback_url: str
    sso_id: str = ""
    prompt: str = ""
    login_hint: str = ""
    force_authn: bool = False
    refresh_jwt: str | None = None
    from_browser: bool = False


async def find_tenant(tx: Transaction, project: Project, named: str) -> TenantRecord:
    """The tenant ``named`` names: by ID, by an email's domain among the tenants' SSO
    domains, by name; ``TenantNotFound`` otherwise."""
    tenant = await tenants_store.get_tenant(tx, project.id, named)
    if tenant is None and "@" in named:
        domain = named.rsplit("@", 1)[1].strip().lower()
        tenants = await tenants_store.list_tenants(tx, project.id)
        tenant = next((t for t in tenants if domain in t.settings.domains), None)
    if tenant is None:
        tenant = await tenants_store.find_by_name(tx, project.id, named)
    if tenant is None or tenant.disabled:
        raise TenantNotFound(f"No tenant with SSO is named {named[:80]!r}")
    return tenant


async def start(ctx: AuthContext, project: Project, begin: Start, base: str) -> oauth.Started:
    """Start the tenant's sign-in at its identity provider: the IdP's URL (``base``: the URL
    passgate is reached at, under which a SAML tenant's SP lives)."""
    if not begin.tenant.strip():
        raise InvalidArgument("tenant is required")
    async with ctx.db.transaction(write=False) as tx:
        tenant = await find_tenant(tx, project, begin.tenant.strip())
        configuration = await sso_store.find(tx, project.id, tenant.id, begin.sso_id)
    if configuration is None or configuration.auth_type == "none":
        raise InvalidArgument(f"Tenant {tenant.id} has no SSO configured")
    if configuration.auth_type == "saml":
        return await saml.start(ctx, project, configuration, begin, base)
    return await oauth.start(ctx, project, _oidc_start(project, configuration, begin))


def _oidc_start(project: Project, configuration: SSOConfiguration, begin: Start) -> oauth.Start:
    prompt = "login" if begin.force_authn and not begin.prompt else begin.prompt
    return oauth.Start(
        provider=sso_accounts.secret_name(configuration.tenant_id, configuration.sso_id),
        redirect_url=begin.redirect_url or configuration.oidc.redirect_url or configuration.oauth_redirect_url or None,
        options=begin.options,
        callback_url=begin.callback_url,
        login_hint=begin.login_hint or (begin.tenant if "@" in begin.tenant else ""),
        refresh_jwt=begin.refresh_jwt,
        from_browser=begin.from_browser,
        sso_provider=sso_accounts.oidc_provider(configuration),
        sso={"tenantId": configuration.tenant_id, "ssoId": configuration.sso_id},
        prompt=prompt,
    )
