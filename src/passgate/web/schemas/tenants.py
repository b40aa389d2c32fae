"""Wire shapes of tenant management (contract §5.3)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from passgate.mgmt import tenants
from passgate.models.tenants import TenantRecord
from passgate.web.schemas.base import (
    Request,
)

Name = Annotated[str, StringConstraints(max_length=200)]

Identifier = Annotated[str, StringConstraints(max_length=64)]

Domain = Annotated[str, StringConstraints(max_length=253)]

NAME = Field(default=None, max_length=200)

DESCRIPTION = Field(default=None, max_length=2000)

TENANT_ID = Field(default=None, max_length=64)


def _seconds(ms: int) -> int:
    return ms // 1000


class TenantRequest(Request):
    """Create, update (replace) and patch share these fields; patch changes only those given."""

    id: str | None = TENANT_ID
    name: str | None = NAME
    selfProvisioningDomains: list[Domain] | None = None
    customAttributes: dict[str, Any] | None = None
    enforceSSO: bool | None = None
    disabled: bool | None = None
    enforceSSOExclusions: list[Identifier] | None = None
    federatedAppIds: list[Identifier] | None = None

    def fields(self) -> tenants.TenantFields:
        return tenants.TenantFields(
            name=self.name,
            self_provisioning_domains=self.selfProvisioningDomains,
            custom_attributes=self.customAttributes,
            enforce_sso=self.enforceSSO,
            disabled=self.disabled,
            enforce_sso_exclusions=self.enforceSSOExclusions,
            federated_app_ids=self.federatedAppIds,
        )


class TenantDeleteRequest(Request):
    id: str | None = TENANT_ID
    cascade: bool | None = None


class TenantSearchRequest(Request):
    tenantIds: list[Identifier] | None = None
    tenantNames: list[Name] | None = None
    tenantSelfProvisioningDomains: list[Domain] | None = None
    customAttributes: dict[str, Any] | None = None


class SSODisabledFeaturesIn(Request):
    saml: bool | None = None
    oidc: bool | None = None
    scim: bool | None = None
    ssoDomains: bool | None = None
    groupMapping: bool | None = None


class SSOSetupSuiteIn(Request):
    enabled: bool | None = None
    styleId: str | None = Field(default=None, max_length=200)
    disabledFeatures: SSODisabledFeaturesIn | None = None


# wire name -> ``TenantSettings`` field
_SETTINGS_FIELDS = {
    "domains": "domains",
    "authType": "auth_type",
    "enabled": "session_settings_enabled",
    "refreshTokenExpiration": "refresh_token_expiration",
    "refreshTokenExpirationUnit": "refresh_token_expiration_unit",
    "sessionTokenExpiration": "session_token_expiration",
    "sessionTokenExpirationUnit": "session_token_expiration_unit",
    "stepupTokenExpiration": "stepup_token_expiration",
    "stepupTokenExpirationUnit": "stepup_token_expiration_unit",
    "enableInactivity": "enable_inactivity",
    "inactivityTime": "inactivity_time",
    "inactivityTimeUnit": "inactivity_time_unit",
    "JITDisabled": "jit_disabled",
    "ssoSetupSuiteSettings": "sso_setup_suite",
    "enforceSSOExclusions": "enforce_sso_exclusions",
    "federatedAppIds": "federated_app_ids",
}


class TenantSettingsRequest(Request):
    """Settings to change; fields left out (or ``null``) keep their value."""

    tenantId: str | None = TENANT_ID
    selfProvisioningDomains: list[Domain] | None = None
    enforceSSO: bool | None = None
    domains: list[Domain] | None = None
    authType: str | None = Field(default=None, max_length=20)
    enabled: bool | None = None
    sessionSettingsEnabled: bool | None = None  # Go's name for ``enabled``
    refreshTokenExpiration: int | None = None
    refreshTokenExpirationUnit: str | None = Field(default=None, max_length=20)
    sessionTokenExpiration: int | None = None
    sessionTokenExpirationUnit: str | None = Field(default=None, max_length=20)
    stepupTokenExpiration: int | None = None
    stepupTokenExpirationUnit: str | None = Field(default=None, max_length=20)
    enableInactivity: bool | None = None
    inactivityTime: int | None = None
    inactivityTimeUnit: str | None = Field(default=None, max_length=20)
    JITDisabled: bool | None = None
    ssoSetupSuiteSettings: SSOSetupSuiteIn | None = None
    enforceSSOExclusions: list[Identifier] | None = None
    federatedAppIds: list[Identifier] | None = None

    def change(self) -> tenants.SettingsChange:
        given = self.model_dump(exclude_none=True)
        if "enabled" not in given and self.sessionSettingsEnabled is not None:
            given["enabled"] = self.sessionSettingsEnabled
        return tenants.SettingsChange(
            self_provisioning_domains=self.selfProvisioningDomains,
            enforce_sso=self.enforceSSO,
            settings={field: given[wire] for wire, field in _SETTINGS_FIELDS.items() if wire in given},
        )


class TenantResponse(BaseModel):
    """Descope's tenant object (``createdTime`` in unix seconds)."""

    id: str
    name: str
    selfProvisioningDomains: list[str]
    customAttributes: dict[str, Any]
    createdTime: int
    domains: list[str]
    authType: str
    enforceSSO: bool
    disabled: bool
    enforceSSOExclusions: list[str]
    federatedAppIds: list[str]

    @classmethod
    def of(cls, tenant: TenantRecord) -> TenantResponse:
        return cls(
            id=tenant.id,
            name=tenant.name,
            selfProvisioningDomains=list(tenant.self_provisioning_domains),
            customAttributes=tenant.custom_attributes,
            createdTime=_seconds(tenant.created_at_ms),
            domains=tenant.settings.domains,
            authType=tenant.settings.auth_type,
            enforceSSO=tenant.enforce_sso,
            disabled=tenant.disabled,
            enforceSSOExclusions=tenant.settings.enforce_sso_exclusions,
            federatedAppIds=tenant.settings.federated_app_ids,
        )


class TenantCreatedResponse(BaseModel):
    id: str


class TenantsResponse(BaseModel):
    tenants: list[TenantResponse]


class TenantSettingsResponse(BaseModel):
    """The settings as Python's ``load_settings`` documents them (plus Go's ``sessionSettingsEnabled``)."""

    tenantId: str
    domains: list[str]
    selfProvisioningDomains: list[str]
    authType: str
    enabled: bool
    sessionSettingsEnabled: bool
    refreshTokenExpiration: int
    refreshTokenExpirationUnit: str
    sessionTokenExpiration: int
    sessionTokenExpirationUnit: str
    stepupTokenExpiration: int
    stepupTokenExpirationUnit: str
    enableInactivity: bool
    inactivityTime: int
    inactivityTimeUnit: str
    JITDisabled: bool
    ssoSetupSuiteSettings: dict[str, Any] | None
    enforceSSO: bool
    enforceSSOExclusions: list[str]
    federatedAppIds: list[str]

    @classmethod
    def of(cls, tenant: TenantRecord) -> TenantSettingsResponse:
        stored = tenant.settings.model_dump()
        return cls(
            tenantId=tenant.id,
            selfProvisioningDomains=list(tenant.self_provisioning_domains),
            enforceSSO=tenant.enforce_sso,
            sessionSettingsEnabled=tenant.settings.session_settings_enabled,
            **{wire: stored[field] for wire, field in _SETTINGS_FIELDS.items()},
        )


class TenantLookup(BaseModel):
    """The query of ``GET /v1/mgmt/tenant`` and ``/v1/mgmt/tenant/settings``."""

    id: str | None = Field(default=None, max_length=64)
