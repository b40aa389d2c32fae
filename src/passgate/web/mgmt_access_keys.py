"""Management of access keys (contract §5.5): request and response shapes and endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field, StringConstraints

from passgate.errors import MissingArgument
from passgate.mgmt import access_keys
from passgate.mgmt.grants import TenantRoles
from passgate.storage.access_keys_store import AccessKeyRecord
from passgate.web.bearer import MgmtDep
from passgate.web.parsing import required
from passgate.web.schemas import EmptyResponse, Request

KeyIdString = Annotated[str, StringConstraints(max_length=64)]
NameString = Annotated[str, StringConstraints(max_length=200)]
IpString = Annotated[str, StringConstraints(max_length=64)]
_MAX_EXPIRE_TIME = 10**12  # unix seconds; far beyond any real date, well inside BIGINT as ms


# --- requests --------------------------------------------------------------------------------
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


# --- responses -------------------------------------------------------------------------------
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


# --- endpoints -------------------------------------------------------------------------------
async def create(body: AccessKeyCreateRequest, call: MgmtDep) -> AccessKeyWithSecret:
    """Create an active key; its cleartext is in this answer only."""
    created = await access_keys.create_access_key(
        call.ctx, call.project, body.to_new_key(), created_by=call.management_key_id
    )
    return AccessKeyWithSecret.of(created)


async def load(
    call: MgmtDep, key_id: Annotated[str | None, Query(alias="id", max_length=64)] = None
) -> AccessKeyWrapper:
    """Load a key by ``id`` (E112401 if there is none)."""
    key = await access_keys.load_access_key(call.ctx, call.project, required(key_id, "id"))
    return AccessKeyWrapper(key=AccessKeyOut.of(key))


async def search(body: AccessKeySearchRequest, call: MgmtDep) -> AccessKeysResponse:
    """The project's keys matching every filter given."""
    keys = await access_keys.search_access_keys(call.ctx, call.project, body.to_search())
    return AccessKeysResponse(keys=[AccessKeyOut.of(key) for key in keys])


async def update(body: AccessKeyUpdateRequest, call: MgmtDep) -> EmptyResponse:
    """Rename a key and replace the other fields given."""
    await access_keys.update_access_key(call.ctx, call.project, required(body.id, "id"), body.to_changes())
    return EmptyResponse()


async def activate(body: AccessKeyIdRequest, call: MgmtDep) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, [required(body.id, "id")], True)
    return EmptyResponse()


async def deactivate(body: AccessKeyIdRequest, call: MgmtDep) -> EmptyResponse:
    """Keep the key but refuse its exchange until it is activated again."""
    await access_keys.set_active(call.ctx, call.project, [required(body.id, "id")], False)
    return EmptyResponse()


async def delete(body: AccessKeyIdRequest, call: MgmtDep) -> EmptyResponse:
    await access_keys.delete_access_keys(call.ctx, call.project, [required(body.id, "id")])
    return EmptyResponse()


async def rotate(body: AccessKeyIdRequest, call: MgmtDep) -> AccessKeyWithSecret:
    """A new secret for the key; the old one stops working at once."""
    rotated = await access_keys.rotate_access_key(call.ctx, call.project, required(body.id, "id"))
    return AccessKeyWithSecret.of(rotated)


async def activate_batch(body: AccessKeyIdsRequest, call: MgmtDep) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, body.key_ids(), True)
    return EmptyResponse()


async def deactivate_batch(body: AccessKeyIdsRequest, call: MgmtDep) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, body.key_ids(), False)
    return EmptyResponse()


async def delete_batch(body: AccessKeyIdsRequest, call: MgmtDep) -> EmptyResponse:
    await access_keys.delete_access_keys(call.ctx, call.project, body.key_ids())
    return EmptyResponse()


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/mgmt/accesskey/create", create, "management"),
    ("GET", "/v1/mgmt/accesskey", load, "management"),
    ("POST", "/v1/mgmt/accesskey/search", search, "management"),
    ("POST", "/v1/mgmt/accesskey/update", update, "management"),
    ("POST", "/v1/mgmt/accesskey/activate", activate, "management"),
    ("POST", "/v1/mgmt/accesskey/deactivate", deactivate, "management"),
    ("POST", "/v1/mgmt/accesskey/delete", delete, "management"),
    ("POST", "/v1/mgmt/accesskey/rotate", rotate, "management"),
    ("POST", "/v1/mgmt/accesskey/activate/batch", activate_batch, "management"),
    ("POST", "/v1/mgmt/accesskey/deactivate/batch", deactivate_batch, "management"),
    ("POST", "/v1/mgmt/accesskey/delete/batch", delete_batch, "management"),
]
