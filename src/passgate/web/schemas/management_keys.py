"""Wire shapes of management keys (``client.mgmt.management_key``; Descope's ``MgmtKey``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from passgate.errors import MissingArgument
from passgate.mgmt import management_keys
from passgate.models.management_keys import ManagementKeyRecord
from passgate.web.schemas.access_keys import IpString, KeyIdString
from passgate.web.schemas.base import Request, required

RoleString = Annotated[str, StringConstraints(max_length=200)]
ROLES = Field(default=None, max_length=100)
_MAX_EXPIRES_IN = 100 * 365 * 86_400  # seconds; a century is far beyond any real key


class ProjectRolesIn(Request):
    projectIds: list[KeyIdString] | None = ROLES
    roles: list[RoleString] | None = ROLES


class TagRolesIn(Request):
    tags: list[RoleString] | None = ROLES
    roles: list[RoleString] | None = ROLES


class ReBacIn(Request):
    """Descope's role assignment of a key: kept and shown as given (every passgate key
    manages its whole project)."""

    companyRoles: list[RoleString] | None = ROLES
    projectRoles: list[ProjectRolesIn] | None = ROLES
    tagRoles: list[TagRolesIn] | None = ROLES


class ManagementKeyCreateRequest(Request):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    expiresIn: int | None = Field(default=None, ge=0, le=_MAX_EXPIRES_IN, description="Seconds from now; 0 = never.")
    permittedIps: list[IpString] | None = Field(default=None, max_length=100)
    reBac: ReBacIn | None = None

    def to_new_key(self) -> management_keys.NewManagementKey:
        return management_keys.NewManagementKey(
            name=required(self.name, "name"),
            description=self.description or "",
            expires_in_seconds=self.expiresIn or 0,
            permitted_ips=tuple(self.permittedIps or ()),
            rebac=self.reBac.model_dump(exclude_none=True) if self.reBac else {},
        )


class ManagementKeyUpdateRequest(Request):
    """Every field replaces the stored one (``name`` and ``status`` are required)."""

    id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    permittedIps: list[IpString] | None = Field(default=None, max_length=100)
    status: Literal["active", "inactive"] | None = None

    def to_changes(self) -> management_keys.ManagementKeyChanges:
        return management_keys.ManagementKeyChanges(
            name=required(self.name, "name"),
            description=self.description or "",
            permitted_ips=tuple(self.permittedIps or ()),
            status=required(self.status, "status"),
        )


class ManagementKeyIdsRequest(Request):
    ids: list[KeyIdString] | None = Field(default=None, max_length=1000)

    def key_ids(self) -> list[str]:
        if not self.ids:
            raise MissingArgument("Missing field: ids")
        return list(dict.fromkeys(self.ids))


class ManagementKeyLookup(BaseModel):
    """The query of ``GET /v1/mgmt/managementkey``."""

    id: str | None = Field(default=None, max_length=64)


class ManagementKeyOut(BaseModel):
    """Descope's management key object (times in unix seconds; ``expireTime`` 0 = never)."""

    id: str
    name: str
    description: str
    status: str
    createdTime: int
    expireTime: int
    permittedIps: list[str]
    reBac: dict[str, object]

    @classmethod
    def of(cls, key: ManagementKeyRecord) -> ManagementKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            description=key.description,
            status=key.status,
            createdTime=key.created_at_ms // 1000,
            expireTime=key.expires_at_ms // 1000,
            permittedIps=list(key.permitted_ips),
            reBac=key.rebac,
        )


class ManagementKeyWrapper(BaseModel):
    key: ManagementKeyOut


class ManagementKeyWithSecret(BaseModel):
    key: ManagementKeyOut
    cleartext: str = Field(description="The management key itself: shown only here, never again.")

    @classmethod
    def of(cls, created: management_keys.CreatedManagementKey) -> ManagementKeyWithSecret:
        return cls(key=ManagementKeyOut.of(created.key), cleartext=created.management_key)


class ManagementKeysResponse(BaseModel):
    keys: list[ManagementKeyOut]


class DeletedCount(BaseModel):
    total: int = Field(description="How many of the keys named were deleted.")
