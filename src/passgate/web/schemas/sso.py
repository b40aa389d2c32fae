"""Tenant SSO: the management routes of ``client.mgmt.sso`` and the auth routes
``/v1/auth/sso/*`` with their ``/v1/auth/saml/*`` aliases (contract part 2 §4).

Descope writes some names differently from how it reads them (``idpUrl`` in, ``idpSSOUrl``
out) and spells ``URL`` both ways across old and new routes: the request models accept
every spelling, case-insensitively where the contract says so.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from passgate.auth import oauth_secrets
from passgate.models.sso import (
    OIDCAttributeMapping,
    OIDCSettings,
    RoleMapping,
    SAMLAttributeMapping,
    SAMLSettings,
    SSOConfiguration,
)
from passgate.models.tenants import TenantRecord
from passgate.web.schemas.base import Request

URL = Field(default=None, max_length=2000)
TEXT = Field(default=None, max_length=500)
CERT = Field(default=None, max_length=20_000)
TENANT = Field(default=None, max_length=64)


def _lower_keys(values: Any) -> Any:
    return {str(k).lower(): v for k, v in values.items()} if isinstance(values, dict) else values


class _CaseBlind(Request):
    """Fields matched whatever their case (``redirectURL`` = ``redirectUrl``)."""

    @model_validator(mode="before")
    @classmethod
    def _any_case(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        by_lower = {name.lower(): name for name in cls.model_fields}
        return {by_lower.get(str(key).lower(), key): value for key, value in values.items()}


class SAMLAttributeMappingIn(_CaseBlind):
    name: str | None = TEXT
    email: str | None = TEXT
    phoneNumber: str | None = TEXT
    group: str | None = TEXT
    givenName: str | None = TEXT
    middleName: str | None = TEXT
    familyName: str | None = TEXT
    picture: str | None = TEXT
    customAttributes: dict[str, str] | None = None

    def to_domain(self) -> SAMLAttributeMapping:
        return SAMLAttributeMapping(
            name=self.name or "",
            email=self.email or "",
            phone_number=self.phoneNumber or "",
            group=self.group or "",
            given_name=self.givenName or "",
            middle_name=self.middleName or "",
            family_name=self.familyName or "",
            picture=self.picture or "",
            custom_attributes=self.customAttributes or {},
        )


class OIDCAttributeMappingIn(_CaseBlind):
    loginId: str | None = TEXT
    name: str | None = TEXT
    givenName: str | None = TEXT
    middleName: str | None = TEXT
    familyName: str | None = TEXT
    email: str | None = TEXT
    verifiedEmail: str | None = TEXT
    username: str | None = TEXT
    phoneNumber: str | None = TEXT
    verifiedPhone: str | None = TEXT
    picture: str | None = TEXT

    def to_domain(self) -> OIDCAttributeMapping:
        given = {
            "login_id": self.loginId,
            "name": self.name,
            "given_name": self.givenName,
            "middle_name": self.middleName,
            "family_name": self.familyName,
            "email": self.email,
            "verified_email": self.verifiedEmail,
            "username": self.username,
            "phone_number": self.phoneNumber,
            "verified_phone": self.verifiedPhone,
            "picture": self.picture,
        }
        return OIDCAttributeMapping(**{k: v for k, v in given.items() if v})


class RoleMappingIn(Request):
    groups: list[str] | None = Field(default=None, max_length=200)
    roleName: str | None = TEXT

    def to_domain(self) -> RoleMapping:
        return RoleMapping(groups=tuple(self.groups or ()), role_name=self.roleName or "")


def role_mappings(items: list[RoleMappingIn] | None) -> tuple[RoleMapping, ...]:
    return tuple(item.to_domain() for item in items or () if item.roleName)


class OIDCSettingsIn(_CaseBlind):
    name: str | None = TEXT
    clientId: str | None = TEXT
    clientSecret: str | None = Field(default=None, max_length=8000)
    redirectUrl: str | None = URL
    authUrl: str | None = URL
    tokenUrl: str | None = URL
    userDataUrl: str | None = URL
    scope: list[str] | None = Field(default=None, max_length=50)
    JWKsUrl: str | None = URL
    userAttrMapping: OIDCAttributeMappingIn | None = None
    manageProviderTokens: bool | None = None
    callbackDomain: str | None = TEXT
    prompt: list[str] | None = Field(default=None, max_length=10)
    grantType: str | None = TEXT
    issuer: str | None = URL
    usePkce: bool | None = None

    def to_domain(self, current: OIDCSettings) -> OIDCSettings:
        return OIDCSettings(
            name=self.name or "",
            client_id=self.clientId or "",
            client_secret=self.clientSecret or "",
            redirect_url=self.redirectUrl or "",
            auth_url=self.authUrl or "",
            token_url=self.tokenUrl or "",
            user_data_url=self.userDataUrl or "",
            scope=tuple(self.scope or ()),
            jwks_url=self.JWKsUrl or "",
            attribute_mapping=self.userAttrMapping.to_domain() if self.userAttrMapping else OIDCAttributeMapping(),
            manage_provider_tokens=bool(self.manageProviderTokens),
            callback_domain=self.callbackDomain or "",
            prompt=tuple(self.prompt or ()),
            grant_type=self.grantType or "authorization_code",
            issuer=self.issuer or "",
            use_pkce=current.use_pkce if self.usePkce is None else self.usePkce,  # null keeps the stored value
        )


class SSOTenantRequest(Request):
    tenantId: str | None = TENANT
    ssoId: str | None = Field(default=None, max_length=64)


class OIDCConfigureRequest(SSOTenantRequest):
    settings: OIDCSettingsIn | None = None
    domains: list[str] | None = Field(default=None, max_length=100)


class SAMLSettingsIn(_CaseBlind):
    idpUrl: str | None = URL
    entityId: str | None = TEXT
    idpCert: str | None = CERT
    idpAdditionalCerts: list[str] | None = Field(default=None, max_length=10)
    idpMetadataUrl: str | None = URL
    spACSUrl: str | None = URL
    spEntityId: str | None = TEXT
    attributeMapping: SAMLAttributeMappingIn | None = None
    roleMappings: list[RoleMappingIn] | None = Field(default=None, max_length=200)
    defaultSSORoles: list[str] | None = Field(default=None, max_length=100)
    replaceDefaultSSORoles: bool | None = None
    groupsPriority: list[str] | None = Field(default=None, max_length=200)
    disableSignRequest: bool | None = None

    def to_domain(self) -> SAMLSettings:
        return SAMLSettings(
            idp_entity_id=self.entityId or "",
            idp_sso_url=self.idpUrl or "",
            idp_certificate=self.idpCert or "",
            idp_additional_certificates=tuple(self.idpAdditionalCerts or ()),
            idp_metadata_url=self.idpMetadataUrl or "",
            sp_entity_id=self.spEntityId or "",
            sp_acs_url=self.spACSUrl or "",
            attribute_mapping=self.attributeMapping.to_domain() if self.attributeMapping else SAMLAttributeMapping(),
            disable_sign_request=bool(self.disableSignRequest),
        )


class SAMLConfigureRequest(SSOTenantRequest):
    settings: SAMLSettingsIn | None = None
    redirectUrl: str | None = URL
    domains: list[str] | None = Field(default=None, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _redirect_any_case(cls, values: Any) -> Any:
        lowered = _lower_keys(values)
        if isinstance(values, dict) and "redirecturl" in lowered:
            return {
                **{k: v for k, v in values.items() if str(k).lower() != "redirecturl"},
                "redirectUrl": lowered["redirecturl"],
            }
        return values


class LegacyConfigureRequest(SAMLConfigureRequest):
    """``configure`` and ``configure_via_metadata`` (deprecated): the SAML fields at the top."""

    idpURL: str | None = URL
    entityId: str | None = TEXT
    idpCert: str | None = CERT
    idpMetadataURL: str | None = URL


class NewSettingsRequest(SSOTenantRequest):
    displayName: str | None = TEXT


class AuthTypeRequest(SSOTenantRequest):
    authType: Literal["none", "saml", "oidc"] | None = None


class RedirectRequest(SSOTenantRequest):
    samlRedirectUrl: str | None = URL
    oauthRedirectUrl: str | None = URL


class MappingRequest(SSOTenantRequest):
    roleMappings: list[RoleMappingIn] | None = Field(default=None, max_length=200)
    attributeMapping: SAMLAttributeMappingIn | None = None


class SettingsQuery(Request):
    tenantId: str | None = TENANT
    ssoId: str | None = Field(default=None, max_length=64)


# --- answers ---------------------------------------------------------------------------------
class SSOTenantOut(BaseModel):
    id: str
    name: str
    selfProvisioningDomains: list[str]
    customAttributes: dict[str, Any]
    authType: str
    domains: list[str]


class SAMLOut(BaseModel):
    idpEntityId: str
    idpSSOUrl: str
    idpCertificate: str
    idpAdditionalCertificates: list[str]
    idpMetadataUrl: str
    spEntityId: str
    spACSUrl: str
    spCertificate: str
    attributeMapping: dict[str, Any]
    groupsMapping: list[dict[str, Any]]
    redirectUrl: str
    lastSuccessTestTime: int


class OIDCOut(BaseModel):
    name: str
    clientId: str
    clientSecret: str
    redirectUrl: str
    authUrl: str
    tokenUrl: str
    userDataUrl: str
    scope: list[str]
    JWKsUrl: str
    userAttrMapping: dict[str, str]
    manageProviderTokens: bool
    callbackDomain: str
    prompt: list[str]
    grantType: str
    issuer: str
    usePkce: bool
    lastSuccessTestTime: int


class SSOSettingsResponse(BaseModel):
    tenant: SSOTenantOut
    saml: SAMLOut
    oidc: OIDCOut
    ssoId: str = ""
    displayName: str = ""

    @classmethod
    def of(cls, tenant: TenantRecord, configuration: SSOConfiguration, sp: tuple[str, str]) -> SSOSettingsResponse:
        """The settings as ``load_settings`` reads them; ``sp`` is the tenant's default SP
        entity ID and ACS URL (shown when the configuration names none)."""
        saml, oidc = configuration.saml, configuration.oidc
        last = configuration.last_success_ms // 1000
        mapping = saml.attribute_mapping
        return cls(
            tenant=SSOTenantOut(
                id=tenant.id,
                name=tenant.name,
                selfProvisioningDomains=list(tenant.self_provisioning_domains),
                customAttributes=tenant.custom_attributes,
                authType=configuration.auth_type,
                domains=list(tenant.settings.domains),
            ),
            saml=SAMLOut(
                idpEntityId=saml.idp_entity_id,
                idpSSOUrl=saml.idp_sso_url,
                idpCertificate=saml.idp_certificate,
                idpAdditionalCertificates=list(saml.idp_additional_certificates),
                idpMetadataUrl=saml.idp_metadata_url,
                spEntityId=saml.sp_entity_id or sp[0],
                spACSUrl=saml.sp_acs_url or sp[1],
                spCertificate="",
                attributeMapping={
                    "name": mapping.name,
                    "email": mapping.email,
                    "username": "",
                    "phoneNumber": mapping.phone_number,
                    "group": mapping.group,
                    "givenName": mapping.given_name,
                    "middleName": mapping.middle_name,
                    "familyName": mapping.family_name,
                    "picture": mapping.picture,
                    "customAttributes": mapping.custom_attributes,
                },
                groupsMapping=[
                    {"groups": list(m.groups), "role": {"name": m.role_name}} for m in configuration.role_mappings
                ],
                redirectUrl=configuration.saml_redirect_url,
                lastSuccessTestTime=last,
            ),
            oidc=OIDCOut(
                name=oidc.name,
                clientId=oidc.client_id,
                clientSecret=oauth_secrets.SHOWN_SEALED if oidc.client_secret else "",
                redirectUrl=oidc.redirect_url or configuration.oauth_redirect_url,
                authUrl=oidc.auth_url,
                tokenUrl=oidc.token_url,
                userDataUrl=oidc.user_data_url,
                scope=list(oidc.scope),
                JWKsUrl=oidc.jwks_url,
                userAttrMapping={
                    "loginId": oidc.attribute_mapping.login_id,
                    "username": oidc.attribute_mapping.username,
                    "name": oidc.attribute_mapping.name,
                    "email": oidc.attribute_mapping.email,
                    "phoneNumber": oidc.attribute_mapping.phone_number,
                    "verifiedEmail": oidc.attribute_mapping.verified_email,
                    "verifiedPhone": oidc.attribute_mapping.verified_phone,
                    "picture": oidc.attribute_mapping.picture,
                    "givenName": oidc.attribute_mapping.given_name,
                    "middleName": oidc.attribute_mapping.middle_name,
                    "familyName": oidc.attribute_mapping.family_name,
                },
                manageProviderTokens=oidc.manage_provider_tokens,
                callbackDomain=oidc.callback_domain,
                prompt=list(oidc.prompt),
                grantType=oidc.grant_type,
                issuer=oidc.issuer,
                usePkce=oidc.use_pkce,
                lastSuccessTestTime=last,
            ),
            ssoId=configuration.sso_id,
            displayName=configuration.display_name,
        )


class AllSSOSettingsResponse(BaseModel):
    ssoSettings: list[SSOSettingsResponse]


# --- auth routes -------------------------------------------------------------------------
class SSOStartQuery(_CaseBlind):
    tenant: str | None = Field(default=None, max_length=320)
    redirectURL: str | None = URL
    prompt: str | None = Field(default=None, max_length=200)
    ssoId: str | None = Field(default=None, max_length=64)
    loginHint: str | None = Field(default=None, max_length=320)
    forceAuthn: str | None = Field(default=None, max_length=5)
    initiatedEmail: str | None = Field(default=None, max_length=320)
