"""Wire shapes of access keys: their management and their exchange (contract §5.5, §2.7)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from passgate.auth import access_keys as exchanges
from passgate.errors import MissingArgument
from passgate.mgmt import access_keys
from passgate.mgmt.grants import TenantRoles
from passgate.models.access_keys import AccessKeyRecord
from passgate.web.schemas.base import (
    Request,
    required,
)

KeyIdString = Annotated[str, StringConstraints(max_length=64)]

NameString = Annotated[str, StringConstraints(max_length=200)]

IpString = Annotated[str, StringConstraints(max_length=64)]

_MAX_EXPIRE_TIME = 10**12  # unix seconds; far beyond any real date, well inside BIGINT as ms


class KeyTenantIn(Request):
    tenantId: str | None = Field(default=None, max_length=64)
    roleNames: list[NameString] | None = Field(default=None, max_length=100)


class AccessKeyCreateRequest(Request):
    name: str | None = Field(default=None, max_length=200)
    expireTime: int | None = Field(default=None, ge=0, le=_MAX_EXPIRE_TIME, description="Unix seconds; 0 = never.")
    roleNames: list[NameString] | None = Field(default=None, max_length=100)
    keyTenants: list[KeyTenantIn] | None = Field(default=None, max_length=100)
    userId: str | None = Field(default=None, max_length=64, description="Bind the key to this user's authorization.")
    customClaims: dict[str, Any] | None = None
    description: str | None = Field(default=None, max_length=2000)
    permittedIps: list[IpString] | None = Field(default=None, max_length=100)
    customAttributes: dict[str, Any] | None = None

    def to_new_key(self) -> access_keys.NewAccessKey:
        return access_keys.NewAccessKey(
            name=required(self.name, "name"),
            expire_time=self.expireTime or 0,
            role_names=tuple(self.roleNames or ()),
            tenants=tuple(
                TenantRoles(tenant_id=required(t.tenantId, "keyTenants.tenantId"), role_names=tuple(t.roleNames or ()))
                for t in self.keyTenants or ()
            ),
            user_id=self.userId or "",
            custom_claims=self.customClaims or {},
            description=self.description or "",
            permitted_ips=tuple(self.permittedIps or ()),
            custom_attributes=self.customAttributes or {},
        )


class AccessKeyIdRequest(Request):
    id: str | None = Field(default=None, max_length=64)


class AccessKeyIdsRequest(Request):
    ids: list[KeyIdString] | None = Field(default=None, max_length=1000)

    def key_ids(self) -> list[str]:
        if not self.ids:
            raise MissingArgument("Missing field: ids")
        return list(dict.fromkeys(self.ids))


class AccessKeyUpdateRequest(Request):
    """``name`` is required; each other field, when given, replaces the stored one."""

    id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    customClaims: dict[str, Any] | None = None
    permittedIps: list[IpString] | None = Field(default=None, max_length=100)
    customAttributes: dict[str, Any] | None = None

    def to_changes(self) -> access_keys.AccessKeyChanges:
        return access_keys.AccessKeyChanges(
            name=required(self.name, "name"),
            description=self.description,
            custom_claims=self.customClaims,
            permitted_ips=tuple(self.permittedIps) if self.permittedIps is not None else None,
            custom_attributes=self.customAttributes,
        )


class AccessKeySearchRequest(Request):
    """Every filter is optional; an empty body lists all the project's keys."""

    tenantIds: list[KeyIdString] | None = Field(default=None, max_length=100)
    boundUserId: str | None = Field(default=None, max_length=64)
    creatingUser: str | None = Field(default=None, max_length=200)
    customAttributes: dict[str, Any] | None = None

    def to_search(self) -> access_keys.AccessKeySearch:
        return access_keys.AccessKeySearch(
            tenant_ids=tuple(self.tenantIds or ()),
            bound_user_id=self.boundUserId or "",
            created_by=self.creatingUser or "",
            custom_attributes=self.customAttributes or {},
        )


class KeyTenantOut(BaseModel):
    tenantId: str
    tenantName: str
    roleNames: list[str]


class AccessKeyOut(BaseModel):
    """Descope's access key object (times in unix seconds; ``expireTime`` 0 = never)."""

    id: str
    name: str
    roleNames: list[str]
    keyTenants: list[KeyTenantOut]
    status: str
    createdTime: int
    expireTime: int
    createdBy: str
    clientId: str
    boundUserId: str
    customClaims: dict[str, Any]
    description: str
    permittedIps: list[str]
    customAttributes: dict[str, Any]

    @classmethod
    def of(cls, key: AccessKeyRecord) -> AccessKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            roleNames=list(key.authz.role_names),
            keyTenants=[
                KeyTenantOut(tenantId=t.tenant_id, tenantName=t.tenant_name, roleNames=list(t.role_names))
                for t in key.authz.tenants
            ],
            status=key.status,
            createdTime=key.created_at_ms // 1000,
            expireTime=key.expires_at_ms // 1000,
            createdBy=key.created_by,
            clientId=key.client_id,
            boundUserId=key.bound_user_id,
            customClaims=key.custom_claims,
            description=key.description,
            permittedIps=list(key.permitted_ips),
            customAttributes=key.custom_attributes,
        )


class AccessKeyWrapper(BaseModel):
    key: AccessKeyOut


class AccessKeyWithSecret(BaseModel):
    key: AccessKeyOut
    cleartext: str = Field(description="The key's secret: shown only here, never again.")

    @classmethod
    def of(cls, created: access_keys.CreatedAccessKey) -> AccessKeyWithSecret:
        return cls(key=AccessKeyOut.of(created.key), cleartext=created.cleartext)


class AccessKeysResponse(BaseModel):
    keys: list[AccessKeyOut]


class AccessKeyLoginOptionsIn(Request):
    customClaims: dict[str, Any] | None = None
    selectedTenant: str | None = Field(default=None, max_length=64)


class ExchangeRequest(Request):
    loginOptions: AccessKeyLoginOptionsIn | None = None

    def to_options(self) -> exchanges.ExchangeOptions:
        options = self.loginOptions or AccessKeyLoginOptionsIn()
        return exchanges.ExchangeOptions(
            custom_claims=options.customClaims or {}, selected_tenant=options.selectedTenant or ""
        )


class ExchangeResponse(BaseModel):
    keyId: str
    sessionJwt: str = Field(description="A session JWT (drn DS) whose sub is the key ID; there is no refresh JWT.")
    expiration: int = Field(description="When the session JWT expires, unix seconds.")


class AccessKeyLookup(BaseModel):
    """The query of ``GET /v1/mgmt/accesskey``."""

    id: str | None = Field(default=None, max_length=64)
