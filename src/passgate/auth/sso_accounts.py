"""Who a tenant's identity provider signs in, and what they get in the tenant.

The IdP is the tenant's own (its administrators configured it), so an email it asserts is
trusted when it says the email is verified *or* the email's domain is one of the tenant's
SSO domains: such an email links the identity to the existing user of that login ID, or is
the login ID of a new user (created in the tenant on the first sign-in — just in time —
unless the tenant's ``jit_disabled``). Any other email stays in the profile, unverified, and
the login ID is ``sso-<subject>``.

Every sign-in makes the user a member of the tenant with the roles its groups map to (and
the configuration's default roles); mapped roles that do not exist are skipped, so a
mapping naming a deleted role does not lock the tenant out.
"""

from __future__ import annotations

from typing import Any

from passgate.addresses import normalize_email
from passgate.auth import accounts, minting
from passgate.auth.context import AuthContext
from passgate.auth.oauth_providers import ProviderUser
from passgate.errors import OAuthRefused, TenantNotFound, UserNotFound
from passgate.models.oauth import OAuthProvider
from passgate.models.projects import Project
from passgate.models.sso import SSOConfiguration
from passgate.models.users import User, UserProfile
from passgate.storage import grants_store, identities_store, sso_store, tenants_store, users_store
from passgate.storage.database import Transaction
from passgate.storage.identities_store import Identity

FED = minting.FED  # the amr of an SSO sign-in (Descope's; contract part 1, JWT claims)


def secret_name(tenant_id: str, sso_id: str) -> str:
    """The provider name a tenant's OIDC flows, identities and sealed secret go by."""
    return f"sso/{tenant_id}/{sso_id}"


async def provider_for(
    ctx: AuthContext, project: Project, ref: dict[str, Any]
) -> tuple[SSOConfiguration, OAuthProvider]:
    """The tenant's OIDC configuration a flow was started for, as a provider to talk to;
    ``OAuthRefused`` when it is gone or no longer OIDC."""
    async with ctx.db.transaction(write=False) as tx:
        configuration = await sso_store.find(tx, project.id, str(ref.get("tenantId")), str(ref.get("ssoId", "")))
    if configuration is None or configuration.auth_type != "oidc":
        raise OAuthRefused("The tenant's OIDC SSO is not configured")
    return configuration, oidc_provider(configuration)


def oidc_provider(configuration: SSOConfiguration) -> OAuthProvider:
    oidc = configuration.oidc
    return OAuthProvider(
        kind="oidc",
        issuer=oidc.issuer,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        scopes=oidc.scope or ("openid", "email", "profile"),
        authorization_endpoint=oidc.auth_url,
        token_endpoint=oidc.token_url,
        userinfo_endpoint=oidc.user_data_url,
        jwks_uri=oidc.jwks_url,
        store_tokens=oidc.manage_provider_tokens,
    )


def _text(claims: dict[str, Any], name: str, limit: int = 320) -> str:
    value = claims.get(name) if name else None
    return str(value)[:limit] if isinstance(value, str | int) and not isinstance(value, bool) else ""


def asserted_by_claims(configuration: SSOConfiguration, claims: dict[str, Any]) -> ProviderUser:
    """The user verified OIDC ``claims`` describe, read through the attribute mapping."""
    mapping = configuration.oidc.attribute_mapping
    groups = claims.get(mapping.group)
    return ProviderUser(
        subject=_text(claims, mapping.login_id, 255) or _text(claims, "sub", 255),
        email=_text(claims, mapping.email),
        email_verified=claims.get(mapping.verified_email) in (True, "true"),
        name=_text(claims, mapping.name, 400),
        given_name=_text(claims, mapping.given_name, 200),
        family_name=_text(claims, mapping.family_name, 200),
        picture=_text(claims, mapping.picture, 2000),
        groups=tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else (),
    )


async def sign_in(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    configuration: SSOConfiguration,
    asserted: ProviderUser,
    *,
    tokens: str,
    provider_name: str,
) -> tuple[User, bool]:
    """The user ``asserted`` signs in (module docstring) and whether it is new, a member of
    the tenant with its mapped roles."""
    tenant = await tenants_store.get_tenant(tx, project.id, configuration.tenant_id)
    if tenant is None or tenant.disabled:
        raise TenantNotFound(f"Tenant {configuration.tenant_id} is gone or disabled")
    if not asserted.subject:
        raise OAuthRefused("The identity provider named no subject")
    email = normalize_email(asserted.email) if asserted.email else ""
    trusted = bool(email) and (asserted.email_verified or email.rsplit("@", 1)[-1] in tenant.settings.domains)
    now_ms = ctx.now_ms()
    identity = await identities_store.find(tx, project.id, provider_name, asserted.subject)
    if identity is not None:
        user, first_seen = await accounts.load_signable_user(tx, project.id, identity.user_id), False
        await identities_store.touch(tx, identity, email, tokens, now_ms)
    else:
        user, first_seen = await _linked_or_new(
            tx, ctx, project, tenant.settings.jit_disabled, asserted, email, trusted
        )
        linked = Identity(project.id, provider_name, asserted.subject, user.id, email, tokens)
        await identities_store.link(tx, linked, now_ms, listed=False)
    await users_store.set_factor(tx, user.id, "saml", True, now_ms)
    names = configuration.roles_for(list(asserted.groups))
    existing = await grants_store.role_ids(tx, project.id, tenant.id, names)
    await grants_store.join_tenant(tx, project.id, user.id, tenant.id, now_ms)
    await grants_store.set_roles(tx, project.id, user.id, tenant.id, [existing[n] for n in names if n in existing])
    found = await users_store.find_by_id(tx, project.id, user.id)
    assert found is not None
    return found, first_seen


async def _linked_or_new(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    jit_disabled: bool,
    asserted: ProviderUser,
    email: str,
    trusted: bool,
) -> tuple[User, bool]:
    """The existing user a trusted email names, else a new user (unless JIT is off)."""
    if trusted:
        existing = await users_store.find_by_login_id(tx, project.id, email)
        if existing is not None:
            return await accounts.load_signable_user(tx, project.id, existing.id), False
    if jit_disabled:
        raise UserNotFound("The tenant does not create users at their first SSO sign-in")
    profile = UserProfile(
        name=asserted.name,
        given_name=asserted.given_name,
        family_name=asserted.family_name,
        picture=asserted.picture,
        email=email,
        verified_email=trusted,
    )
    login_id = email if trusted else f"sso-{asserted.subject}"
    user = await accounts.create_user(
        tx, project_id=project.id, login_ids=[login_id], profile=profile, test=False, now=ctx.clock.now()
    )
    return user, True
