"""Requests of the management API's single-field user updates (contract §5.1)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from passgate.web.schemas.base import (
    LOGIN_ID,
    AuditedRequest,
    LoginIdString,
)
from passgate.web.schemas.users import NAMES, TENANT_ID, NameString, StatusName


class StatusRequest(AuditedRequest):
    status: StatusName | None = None


class LoginIdUpdateRequest(AuditedRequest):
    newLoginId: LoginIdString | None = LOGIN_ID


class AddressUpdateRequest(AuditedRequest):
    verified: bool | None = None
    failOnConflict: bool | None = None


class EmailUpdateRequest(AddressUpdateRequest):
    email: str | None = Field(default=None, max_length=320)


class PhoneUpdateRequest(AddressUpdateRequest):
    phone: str | None = Field(default=None, max_length=40)


class NameUpdateRequest(AuditedRequest):
    displayName: str | None = Field(default=None, max_length=400)
    name: str | None = Field(default=None, max_length=400)
    givenName: str | None = Field(default=None, max_length=200)
    middleName: str | None = Field(default=None, max_length=200)
    familyName: str | None = Field(default=None, max_length=200)


class PictureUpdateRequest(AuditedRequest):
    picture: str | None = Field(default=None, max_length=2000)


class CustomAttributeUpdateRequest(AuditedRequest):
    attributeKey: str | None = Field(default=None, max_length=200)
    attributeValue: Any = None


class RolesRequest(AuditedRequest):
    roleNames: list[NameString] | None = NAMES
    tenantId: str | None = TENANT_ID


class UserTenantRequest(AuditedRequest):
    tenantId: str | None = TENANT_ID
