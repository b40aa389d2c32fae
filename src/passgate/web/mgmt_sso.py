"""Endpoints of ``/v1/mgmt/sso/*`` and ``/v2/mgmt/sso/settings*`` (``client.mgmt.sso``)."""

from __future__ import annotations

from typing import TypeVar

from starlette.requests import Request

from passgate.auth import saml
from passgate.errors import MissingArgument
from passgate.mgmt import sso
from passgate.models.sso import SAMLSettings, SSOConfiguration
from passgate.models.tenants import TenantRecord
from passgate.web.auth_oauth import public_base
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.sso import (
    AllSSOSettingsResponse,
    AuthTypeRequest,
    LegacyConfigureRequest,
    MappingRequest,
    NewSettingsRequest,
    OIDCConfigureRequest,
    RedirectRequest,
    SAMLConfigureRequest,
    SettingsQuery,
    SSOSettingsResponse,
    SSOTenantRequest,
    role_mappings,
)

T = TypeVar("T")


def _tenant(value: str | None) -> str:
    return required(value, "tenantId")


def _given(settings: T | None) -> T:
    if settings is None:
        raise MissingArgument("Missing field: settings")
    return settings


def _answer_of(
    call: AuthCall, request: Request, tenant: TenantRecord, configuration: SSOConfiguration
) -> SSOSettingsResponse:
    sp = saml.service_provider(public_base(call.ctx, request), call.project.id, configuration)
    return SSOSettingsResponse.of(tenant, configuration, (sp.entity_id, sp.acs_url))


async def _answer(call: AuthCall, request: Request, tenant_id: str, sso_id: str | None) -> SSOSettingsResponse:
    loaded = await sso.load(call.ctx, call.project, tenant_id, sso_id)
    return _answer_of(call, request, loaded.tenant, loaded.configuration)


async def load_settings(query: SettingsQuery, call: AuthCall, request: Request) -> SSOSettingsResponse:
    """The tenant's SSO settings (its default configuration, or ``ssoId``'s)."""
    return await _answer(call, request, _tenant(query.tenantId), query.ssoId)


async def load_all_settings(query: SettingsQuery, call: AuthCall, request: Request) -> AllSSOSettingsResponse:
    """Every SSO configuration of the tenant (multi-SSO)."""
    tenant, configurations = await sso.load_all(call.ctx, call.project, _tenant(query.tenantId))
    return AllSSOSettingsResponse(ssoSettings=[_answer_of(call, request, tenant, c) for c in configurations])


async def new_settings(body: NewSettingsRequest, call: AuthCall, request: Request) -> SSOSettingsResponse:
    """A new (empty) configuration of the tenant, named ``displayName``."""
    tenant_id = _tenant(body.tenantId)
    edit = sso.with_fields(display_name=body.displayName or "")
    await sso.change(call.ctx, call.project, tenant_id, body.ssoId, edit)
    return await _answer(call, request, tenant_id, body.ssoId)


async def delete_settings(query: SettingsQuery, call: AuthCall) -> EmptyResponse:
    """Delete the tenant's configuration ``ssoId`` (all of them without it): its SSO is off."""
    await sso.delete(call.ctx, call.project, _tenant(query.tenantId), query.ssoId)
    return EmptyResponse()


async def configure_auth_type(body: AuthTypeRequest, call: AuthCall) -> EmptyResponse:
    """Choose which of the configuration's protocols signs users in (or none)."""
    auth_type = body.authType or "none"
    await sso.change(call.ctx, call.project, _tenant(body.tenantId), body.ssoId, sso.with_auth_type(auth_type))
    return EmptyResponse()


async def configure_oidc(body: OIDCConfigureRequest, call: AuthCall) -> EmptyResponse:
    """Set the tenant's OIDC identity provider (and its email domains) and select OIDC."""
    tenant_id = _tenant(body.tenantId)
    current = (await sso.load(call.ctx, call.project, tenant_id, body.ssoId)).configuration
    settings = _given(body.settings).to_domain(current.oidc)
    edit = sso.with_oidc(call.ctx, call.project, settings)
    await sso.change(call.ctx, call.project, tenant_id, body.ssoId, edit, domains=body.domains, set_domains=True)
    return EmptyResponse()


async def configure_saml(body: SAMLConfigureRequest, call: AuthCall) -> EmptyResponse:
    """Set the tenant's SAML identity provider, its mappings and domains, and select SAML."""
    tenant_id = _tenant(body.tenantId)
    given = _given(body.settings)
    fields: dict[str, object] = {"role_mappings": role_mappings(given.roleMappings)}
    if given.defaultSSORoles is not None and (given.defaultSSORoles or given.replaceDefaultSSORoles):
        fields["default_roles"] = tuple(given.defaultSSORoles)
    if given.groupsPriority is not None:
        fields["groups_priority"] = tuple(given.groupsPriority)
    if body.redirectUrl is not None:
        fields["saml_redirect_url"] = body.redirectUrl
    edit = sso.with_saml(given.to_domain(), **fields)
    await sso.change(call.ctx, call.project, tenant_id, body.ssoId, edit, domains=body.domains, set_domains=True)
    return EmptyResponse()


async def configure_legacy(body: LegacyConfigureRequest, call: AuthCall) -> EmptyResponse:
    """``configure`` / ``configure_via_metadata`` (deprecated): SAML from top-level fields."""
    settings = SAMLSettings(
        idp_sso_url=body.idpURL or "",
        idp_entity_id=body.entityId or "",
        idp_certificate=body.idpCert or "",
        idp_metadata_url=body.idpMetadataURL or "",
    )
    fields = {"saml_redirect_url": body.redirectUrl} if body.redirectUrl is not None else {}
    edit = sso.with_saml(settings, **fields)
    await sso.change(
        call.ctx, call.project, _tenant(body.tenantId), body.ssoId, edit, domains=body.domains, set_domains=True
    )
    return EmptyResponse()


async def configure_redirect(body: RedirectRequest, call: AuthCall) -> EmptyResponse:
    """Where users land after SSO when the start names no redirect URL."""
    fields: dict[str, object] = {}
    if body.samlRedirectUrl is not None:
        fields["saml_redirect_url"] = body.samlRedirectUrl
    if body.oauthRedirectUrl is not None:
        fields["oauth_redirect_url"] = body.oauthRedirectUrl
    await sso.change(call.ctx, call.project, _tenant(body.tenantId), body.ssoId, sso.with_fields(**fields))
    return EmptyResponse()


async def configure_mapping(body: MappingRequest, call: AuthCall) -> EmptyResponse:
    """Group → role mappings (and SAML attributes) of the configuration (deprecated route)."""
    tenant_id = _tenant(body.tenantId)
    fields: dict[str, object] = {"role_mappings": role_mappings(body.roleMappings)}
    if body.attributeMapping is not None:
        current = (await sso.load(call.ctx, call.project, tenant_id, body.ssoId)).configuration
        fields["saml"] = current.saml.model_copy(update={"attribute_mapping": body.attributeMapping.to_domain()})
    await sso.change(call.ctx, call.project, tenant_id, body.ssoId, sso.with_fields(**fields))
    return EmptyResponse()


async def recalculate_mappings(body: SSOTenantRequest, call: AuthCall) -> EmptyResponse:
    """Accepted and answered ``{}``: passgate maps groups to roles at every SSO sign-in, so
    there is nothing stored to recalculate (docs/sso.md)."""
    await sso.load(call.ctx, call.project, _tenant(body.tenantId), body.ssoId)  # the tenant must exist
    return EmptyResponse()
