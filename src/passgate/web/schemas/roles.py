"""Wire shapes of role and permission management (contract §5.4)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passgate.errors import MissingArgument
from passgate.mgmt import permissions, roles
from passgate.models.roles import PermissionRecord, RoleRecord
from passgate.web.schemas.base import (
    Request,
    required,
)
from passgate.web.schemas.tenants import DESCRIPTION, NAME, TENANT_ID, Identifier, Name, _seconds


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
