"""Management of tenants, roles and permissions (contract §5.3, §5.4).

Request models accept Descope's field names, ``null`` for anything optional and ignore
unknown fields; the flows in ``mgmt/tenants.py``, ``mgmt/roles.py`` and
``mgmt/permissions.py`` do the checking that needs the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field, StringConstraints

from passgate.errors import MissingArgument
from passgate.mgmt import permissions, roles, tenants
from passgate.storage.roles_store import PermissionRecord, RoleRecord
from passgate.storage.tenants_store import TenantRecord
from passgate.web.bearer import MgmtDep
from passgate.web.parsing import required
from passgate.web.schemas import EmptyResponse, Request

Name = Annotated[str, StringConstraints(max_length=200)]
Identifier = Annotated[str, StringConstraints(max_length=64)]
Domain = Annotated[str, StringConstraints(max_length=253)]
NAME = Field(default=None, max_length=200)
DESCRIPTION = Field(default=None, max_length=2000)
TENANT_ID = Field(default=None, max_length=64)
TenantIdQuery = Annotated[str | None, Query(max_length=64)]


def _seconds(ms: int) -> int:
    return ms // 1000


# --- tenants (§5.3) ------------------------------------------------------------------------------
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


async def create_tenant(body: TenantRequest, call: MgmtDep) -> TenantCreatedResponse:
    """Create a tenant (ID generated unless given); ``{id}``."""
    tenant_id = await tenants.create_tenant(call.ctx, call.project, body.id, body.fields())
    return TenantCreatedResponse(id=tenant_id)


async def update_tenant(body: TenantRequest, call: MgmtDep) -> EmptyResponse:
    """Replace the tenant's fields (those not given return to their defaults)."""
    await tenants.update_tenant(call.ctx, call.project, required(body.id, "id"), body.fields())
    return EmptyResponse()


async def patch_tenant(body: TenantRequest, call: MgmtDep) -> EmptyResponse:
    """Change only the given fields of the tenant."""
    await tenants.patch_tenant(call.ctx, call.project, required(body.id, "id"), body.fields())
    return EmptyResponse()


async def delete_tenant(body: TenantDeleteRequest, call: MgmtDep) -> EmptyResponse:
    """Delete the tenant; with ``cascade``, also the users who belonged to it alone."""
    await tenants.delete_tenant(call.ctx, call.project, required(body.id, "id"), cascade=bool(body.cascade))
    return EmptyResponse()


async def load_tenant(call: MgmtDep, id: TenantIdQuery = None) -> TenantResponse:
    """The tenant as a bare object (E112201 if absent)."""
    return TenantResponse.of(await tenants.load_tenant(call.ctx, call.project, required(id, "id")))


async def load_all_tenants(call: MgmtDep) -> TenantsResponse:
    """Every tenant of the project."""
    found = await tenants.search_tenants(call.ctx, call.project, tenants.TenantSearch())
    return TenantsResponse(tenants=[TenantResponse.of(tenant) for tenant in found])


async def search_tenants(body: TenantSearchRequest, call: MgmtDep) -> TenantsResponse:
    """Tenants by IDs, names, self-provisioning domains and custom attributes (all optional)."""
    search = tenants.TenantSearch(
        ids=tuple(body.tenantIds or ()),
        names=tuple(body.tenantNames or ()),
        self_provisioning_domains=tuple(body.tenantSelfProvisioningDomains or ()),
        custom_attributes=body.customAttributes or {},
    )
    found = await tenants.search_tenants(call.ctx, call.project, search)
    return TenantsResponse(tenants=[TenantResponse.of(tenant) for tenant in found])


async def load_tenant_settings(call: MgmtDep, id: TenantIdQuery = None) -> TenantSettingsResponse:
    """The tenant's SSO and session settings."""
    return TenantSettingsResponse.of(await tenants.load_tenant(call.ctx, call.project, required(id, "id")))


async def update_tenant_settings(body: TenantSettingsRequest, call: MgmtDep) -> EmptyResponse:
    """Change the given settings of the tenant."""
    await tenants.update_settings(call.ctx, call.project, required(body.tenantId, "tenantId"), body.change())
    return EmptyResponse()


# --- permissions (§5.4) -------------------------------------------------------------------------
class PermissionRequest(Request):
    """A permission by ``name`` or ``id``; ``newName`` and ``description`` for updates."""

    name: str | None = NAME
    id: str | None = Field(default=None, max_length=32)
    newName: str | None = NAME
    description: str | None = DESCRIPTION

    def new(self) -> permissions.NewPermission:
        return permissions.NewPermission(name=required(self.name, "name"), description=self.description or "")

    def ref(self) -> permissions.PermissionRef:
        return permissions.PermissionRef(name=self.name, permission_id=self.id)

    def change(self) -> permissions.PermissionChange:
        new_name = required(self.newName, "newName")
        return permissions.PermissionChange(ref=self.ref(), new_name=new_name, description=self.description or "")


class PermissionBatchRequest(Request):
    permissions: list[PermissionRequest] | None = None

    def items(self) -> list[PermissionRequest]:
        if not self.permissions:
            raise MissingArgument("Missing field: permissions")
        return self.permissions


class PermissionBatchDeleteRequest(Request):
    names: list[Name] | None = None
    ids: list[Identifier] | None = None

    def refs(self) -> list[permissions.PermissionRef]:
        if not self.names and not self.ids:
            raise MissingArgument("Missing field: names or ids")
        by_name = [permissions.PermissionRef(name=name) for name in self.names or ()]
        return by_name + [permissions.PermissionRef(permission_id=pid) for pid in self.ids or ()]


class PermissionResponse(BaseModel):
    id: str
    name: str
    description: str
    systemDefault: bool = False

    @classmethod
    def of(cls, permission: PermissionRecord) -> PermissionResponse:
        return cls(id=permission.id, name=permission.name, description=permission.description)


class PermissionsResponse(BaseModel):
    permissions: list[PermissionResponse]


async def create_permission(body: PermissionRequest, call: MgmtDep) -> EmptyResponse:
    """Create a permission (E112304 if the name is taken)."""
    await permissions.create_permissions(call.ctx, call.project, [body.new()])
    return EmptyResponse()


async def update_permission(body: PermissionRequest, call: MgmtDep) -> EmptyResponse:
    """Rename a permission and replace its description; roles and users show the new name."""
    await permissions.update_permissions(call.ctx, call.project, [body.change()])
    return EmptyResponse()


async def delete_permission(body: PermissionRequest, call: MgmtDep) -> EmptyResponse:
    """Delete a permission (by name or ID) and take it out of every role."""
    await permissions.delete_permissions(call.ctx, call.project, [body.ref()])
    return EmptyResponse()


async def load_all_permissions(call: MgmtDep) -> PermissionsResponse:
    """Every permission of the project."""
    found = await permissions.load_all(call.ctx, call.project)
    return PermissionsResponse(permissions=[PermissionResponse.of(p) for p in found])


async def create_permissions_batch(body: PermissionBatchRequest, call: MgmtDep) -> EmptyResponse:
    """Create several permissions: all or none."""
    await permissions.create_permissions(call.ctx, call.project, [item.new() for item in body.items()])
    return EmptyResponse()


async def update_permissions_batch(body: PermissionBatchRequest, call: MgmtDep) -> EmptyResponse:
    """Update several permissions: all or none."""
    await permissions.update_permissions(call.ctx, call.project, [item.change() for item in body.items()])
    return EmptyResponse()


async def delete_permissions_batch(body: PermissionBatchDeleteRequest, call: MgmtDep) -> EmptyResponse:
    """Delete several permissions by name or ID."""
    await permissions.delete_permissions(call.ctx, call.project, body.refs())
    return EmptyResponse()


# --- roles (§5.4) -------------------------------------------------------------------------------
class RoleRequest(Request):
    """A role by ``name`` (within ``tenantId``) or ``id``; ``newName`` for updates."""

    name: str | None = NAME
    id: str | None = Field(default=None, max_length=32)
    newName: str | None = NAME
    description: str | None = DESCRIPTION
    permissionNames: list[Name] | None = None
    tenantId: str | None = TENANT_ID
    default: bool | None = None
    private: bool | None = None

    def _fields(self, name: str) -> roles.RoleFields:
        return roles.RoleFields(
            name=name,
            description=self.description or "",
            permission_names=tuple(self.permissionNames or ()),
            tenant_id=self.tenantId or "",
            default=bool(self.default),
            private=bool(self.private),
        )

    def new(self) -> roles.RoleFields:
        return self._fields(required(self.name, "name"))

    def ref(self) -> roles.RoleRef:
        return roles.RoleRef(name=self.name, role_id=self.id, tenant_id=self.tenantId or "")

    def change(self) -> roles.RoleChange:
        return roles.RoleChange(ref=self.ref(), fields=self._fields(required(self.newName, "newName")))


class RoleBatchRequest(Request):
    roles: list[RoleRequest] | None = None

    def items(self) -> list[RoleRequest]:
        if not self.roles:
            raise MissingArgument("Missing field: roles")
        return self.roles


class RoleBatchDeleteRequest(Request):
    roleNames: list[Name] | None = None
    roleIds: list[Identifier] | None = None
    tenantId: str | None = TENANT_ID

    def refs(self) -> list[roles.RoleRef]:
        # Never "no filter = every role": an empty request deletes nothing and says so.
        if not self.roleNames and not self.roleIds:
            raise MissingArgument("Missing field: roleNames or roleIds")
        tenant_id = self.tenantId or ""
        by_name = [roles.RoleRef(name=name, tenant_id=tenant_id) for name in self.roleNames or ()]
        return by_name + [roles.RoleRef(role_id=role_id, tenant_id=tenant_id) for role_id in self.roleIds or ()]


class RoleSearchRequest(Request):
    tenantIds: list[Identifier] | None = None
    roleNames: list[Name] | None = None
    roleNameLike: str | None = NAME
    permissionNames: list[Name] | None = None
    includeProjectRoles: bool | None = None
    roleIds: list[Identifier] | None = None

    def search(self) -> roles.RoleSearch:
        return roles.RoleSearch(
            tenant_ids=tuple(self.tenantIds or ()),
            include_project_roles=bool(self.includeProjectRoles),
            role_names=tuple(self.roleNames or ()),
            role_name_like=self.roleNameLike or "",
            permission_names=tuple(self.permissionNames or ()),
            role_ids=tuple(self.roleIds or ()),
        )


class RoleResponse(BaseModel):
    """A role (``createdTime`` in unix seconds; ``tenantId`` '' for a project-level role)."""

    id: str
    name: str
    description: str
    permissionNames: list[str]
    createdTime: int
    tenantId: str
    default: bool
    private: bool

    @classmethod
    def of(cls, role: RoleRecord) -> RoleResponse:
        return cls(
            id=role.id,
            name=role.name,
            description=role.description,
            permissionNames=list(role.permission_names),
            createdTime=_seconds(role.created_at_ms),
            tenantId=role.tenant_id,
            default=role.default,
            private=role.private,
        )


class RolesResponse(BaseModel):
    roles: list[RoleResponse]


async def create_role(body: RoleRequest, call: MgmtDep) -> EmptyResponse:
    """Create a role, project-level or in ``tenantId``; its permissions must exist."""
    await roles.create_roles(call.ctx, call.project, [body.new()])
    return EmptyResponse()


async def update_role(body: RoleRequest, call: MgmtDep) -> EmptyResponse:
    """Replace a role's name, description, permissions and flags."""
    await roles.update_roles(call.ctx, call.project, [body.change()])
    return EmptyResponse()


async def delete_role(body: RoleRequest, call: MgmtDep) -> EmptyResponse:
    """Delete a role (by name within ``tenantId``, or by ID) and every grant of it."""
    await roles.delete_roles(call.ctx, call.project, [body.ref()])
    return EmptyResponse()


async def load_all_roles(call: MgmtDep) -> RolesResponse:
    """Every role of the project, project-level and tenant-level."""
    return RolesResponse(roles=[RoleResponse.of(role) for role in await roles.load_all(call.ctx, call.project)])


async def search_roles(body: RoleSearchRequest, call: MgmtDep) -> RolesResponse:
    """Roles by tenant, name, name fragment, permission or ID (all optional)."""
    found = await roles.search(call.ctx, call.project, body.search())
    return RolesResponse(roles=[RoleResponse.of(role) for role in found])


async def create_roles_batch(body: RoleBatchRequest, call: MgmtDep) -> EmptyResponse:
    """Create several roles: all or none."""
    await roles.create_roles(call.ctx, call.project, [item.new() for item in body.items()])
    return EmptyResponse()


async def update_roles_batch(body: RoleBatchRequest, call: MgmtDep) -> EmptyResponse:
    """Update several roles: all or none."""
    await roles.update_roles(call.ctx, call.project, [item.change() for item in body.items()])
    return EmptyResponse()


async def delete_roles_batch(body: RoleBatchDeleteRequest, call: MgmtDep) -> EmptyResponse:
    """Delete several roles of one scope, by name or ID."""
    await roles.delete_roles(call.ctx, call.project, body.refs())
    return EmptyResponse()


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/mgmt/tenant/create", create_tenant, "management"),
    ("POST", "/v1/mgmt/tenant/update", update_tenant, "management"),
    ("PATCH", "/v1/mgmt/tenant/patch", patch_tenant, "management"),
    ("POST", "/v1/mgmt/tenant/delete", delete_tenant, "management"),
    ("GET", "/v1/mgmt/tenant", load_tenant, "management"),
    ("GET", "/v1/mgmt/tenant/all", load_all_tenants, "management"),
    ("POST", "/v1/mgmt/tenant/search", search_tenants, "management"),
    ("GET", "/v1/mgmt/tenant/settings", load_tenant_settings, "management"),
    ("POST", "/v1/mgmt/tenant/settings", update_tenant_settings, "management"),
    ("POST", "/v1/mgmt/permission/create", create_permission, "management"),
    ("POST", "/v1/mgmt/permission/update", update_permission, "management"),
    ("POST", "/v1/mgmt/permission/delete", delete_permission, "management"),
    ("GET", "/v1/mgmt/permission/all", load_all_permissions, "management"),
    ("POST", "/v1/mgmt/permission/create/batch", create_permissions_batch, "management"),
    ("POST", "/v1/mgmt/permission/update/batch", update_permissions_batch, "management"),
    ("POST", "/v1/mgmt/permission/delete/batch", delete_permissions_batch, "management"),
    ("POST", "/v1/mgmt/role/create", create_role, "management"),
    ("POST", "/v1/mgmt/role/update", update_role, "management"),
    ("POST", "/v1/mgmt/role/delete", delete_role, "management"),
    ("GET", "/v1/mgmt/role/all", load_all_roles, "management"),
    ("POST", "/v1/mgmt/role/search", search_roles, "management"),
    ("POST", "/v1/mgmt/role/create/batch", create_roles_batch, "management"),
    ("POST", "/v1/mgmt/role/update/batch", update_roles_batch, "management"),
    ("POST", "/v1/mgmt/role/delete/batch", delete_roles_batch, "management"),
]
"""Tenants, permissions and roles (method, path, endpoint, tag)."""
