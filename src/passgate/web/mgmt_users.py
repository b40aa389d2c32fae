"""Endpoints of user management (contract §5.1), the test-user OTP helper, and the license."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Body, Query
from pydantic import BaseModel, Field, StringConstraints

from passgate.errors import MissingArgument
from passgate.mgmt import user_edits, users
from passgate.mgmt.grants import RoleChange, TenantRoles
from passgate.models import Method, User, UserStatus
from passgate.storage.user_search import TestUsers, UserQuery
from passgate.web.bearer import MgmtDep
from passgate.web.schemas import (
    LOGIN_ID,
    UNIX_MS,
    EmptyResponse,
    GenerateOTPRequest,
    GenerateOTPResponse,
    HistoryEntry,
    LicenseResponse,
    LoginIdString,
    MgmtUserCreateRequest,
    MgmtUserRefRequest,
    Request,
    UserResponse,
    UserWrapper,
)

IdString = Annotated[str, StringConstraints(max_length=64)]
NameString = Annotated[str, StringConstraints(max_length=200)]
StatusName = Literal["enabled", "disabled", "invited"]
TENANT_ID = Field(default=None, max_length=64)
NAMES = Field(default=None, max_length=100)


# --- requests ------------------------------------------------------------------------------
class TenantRolesIn(Request):
    tenantId: str | None = TENANT_ID
    roleNames: list[NameString] | None = NAMES

    def to_domain(self) -> TenantRoles:
        if not self.tenantId:
            raise MissingArgument("userTenants[].tenantId is required")
        return TenantRoles(tenant_id=self.tenantId, role_names=tuple(self.roleNames or ()))


class UserFieldsRequest(MgmtUserCreateRequest):
    """A user as create, update, patch and batch create send it (``ssoAppIDs``/``ssoAppIds``
    and invitation delivery fields are accepted and ignored: passgate has no SSO apps and
    sends no invitations)."""

    roleNames: list[NameString] | None = NAMES
    userTenants: list[TenantRolesIn] | None = Field(default=None, max_length=100)
    status: StatusName | None = None

    def fields(self) -> users.UserFields:
        """The given fields; absent ones stay ``None`` (a create or update empties them, a patch keeps them)."""
        additional = self.additionalLoginIds if self.additionalLoginIds is not None else self.additionalIdentifiers
        return users.UserFields(
            name=self.displayName if self.displayName is not None else self.name,
            given_name=self.givenName,
            middle_name=self.middleName,
            family_name=self.familyName,
            email=self.email,
            phone=self.phone,
            picture=self.picture,
            verified_email=self.verifiedEmail,
            verified_phone=self.verifiedPhone,
            custom_attributes=self.customAttributes,
            additional_login_ids=tuple(additional) if additional is not None else None,
            status=UserStatus(self.status) if self.status else None,
            role_names=tuple(self.roleNames) if self.roleNames is not None else None,
            tenants=tuple(t.to_domain() for t in self.userTenants) if self.userTenants is not None else None,
        )


class CreateUserRequest(UserFieldsRequest):
    invite: bool | None = None

    def new_user(self, *, test: bool, invite: bool = False) -> users.NewUser:
        return users.NewUser(
            login_id=self.loginId or "", fields=self.fields(), test=test, invite=invite or bool(self.invite)
        )


class BatchCreateRequest(Request):
    users: list[CreateUserRequest] | None = Field(default=None, max_length=1000)
    invite: bool | None = None


class LoadUsersRequest(Request):
    userIds: list[IdString] | None = Field(default=None, max_length=1000)
    includeInvalidUsers: bool | None = None


class SortIn(Request):
    field: str | None = Field(default=None, max_length=64)
    desc: bool | None = None


class UserSearchRequest(Request):
    """Descope's user search; times are unix milliseconds; ``page`` counts from 0."""

    tenantIds: list[IdString] | None = NAMES
    roleNames: list[NameString] | None = NAMES
    statuses: list[Annotated[str, StringConstraints(max_length=16)]] | None = Field(default=None, max_length=10)
    emails: list[LoginIdString] | None = Field(default=None, max_length=1000)
    phones: list[Annotated[str, StringConstraints(max_length=40)]] | None = Field(default=None, max_length=1000)
    loginIds: list[LoginIdString] | None = Field(default=None, max_length=1000)
    userIds: list[IdString] | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=200)
    customAttributes: dict[str, Any] | None = Field(default=None, max_length=20)
    sort: list[SortIn] | None = Field(default=None, max_length=10)
    limit: int | None = Field(default=None, ge=0, le=1000, description="Page size; 0 or absent means 100.")
    page: int | None = Field(default=None, ge=0, le=1_000_000)
    testUsersOnly: bool | None = None
    withTestUser: bool | None = None
    fromCreatedTime: int | None = UNIX_MS
    toCreatedTime: int | None = UNIX_MS
    fromModifiedTime: int | None = UNIX_MS
    toModifiedTime: int | None = UNIX_MS

    def query(self, *, test_only: bool = False) -> UserQuery:
        test_users = TestUsers.EXCLUDE
        if test_only or self.testUsersOnly:
            test_users = TestUsers.ONLY
        elif self.withTestUser:
            test_users = TestUsers.INCLUDE
        return UserQuery(
            tenant_ids=tuple(self.tenantIds or ()),
            role_names=tuple(self.roleNames or ()),
            statuses=tuple(self.statuses or ()),
            emails=tuple(self.emails or ()),
            phones=tuple(self.phones or ()),
            login_ids=tuple(self.loginIds or ()),
            user_ids=tuple(self.userIds or ()),
            text=self.text or "",
            custom_attributes=self.customAttributes or {},
            created_from_ms=self.fromCreatedTime,
            created_to_ms=self.toCreatedTime,
            modified_from_ms=self.fromModifiedTime,
            modified_to_ms=self.toModifiedTime,
            test_users=test_users,
            sort=tuple((s.field or "", bool(s.desc)) for s in self.sort or ()),
            limit=self.limit or 100,
            page=self.page or 0,
        )


class StatusRequest(Request):
    loginId: str | None = LOGIN_ID
    status: StatusName | None = None


class LoginIdUpdateRequest(Request):
    loginId: str | None = LOGIN_ID
    newLoginId: str | None = LOGIN_ID


class AddressUpdateRequest(Request):
    loginId: str | None = LOGIN_ID
    verified: bool | None = None
    failOnConflict: bool | None = None


class EmailUpdateRequest(AddressUpdateRequest):
    email: str | None = Field(default=None, max_length=320)


class PhoneUpdateRequest(AddressUpdateRequest):
    phone: str | None = Field(default=None, max_length=40)


class NameUpdateRequest(Request):
    loginId: str | None = LOGIN_ID
    displayName: str | None = Field(default=None, max_length=400)
    name: str | None = Field(default=None, max_length=400)
    givenName: str | None = Field(default=None, max_length=200)
    middleName: str | None = Field(default=None, max_length=200)
    familyName: str | None = Field(default=None, max_length=200)


class PictureUpdateRequest(Request):
    loginId: str | None = LOGIN_ID
    picture: str | None = Field(default=None, max_length=2000)


class CustomAttributeUpdateRequest(Request):
    loginId: str | None = LOGIN_ID
    attributeKey: str | None = Field(default=None, max_length=200)
    attributeValue: Any = None


class RolesRequest(Request):
    loginId: str | None = LOGIN_ID
    roleNames: list[NameString] | None = NAMES
    tenantId: str | None = TENANT_ID


class TenantRequest(Request):
    loginId: str | None = LOGIN_ID
    tenantId: str | None = TENANT_ID


# --- responses -----------------------------------------------------------------------------
class UsersResponse(BaseModel):
    users: list[UserResponse]


class UserSearchResponse(BaseModel):
    users: list[UserResponse]
    total: int


class FailedUserOut(BaseModel):
    """The user a batch could not create, as it was asked for."""

    loginIds: list[str]
    email: str = ""
    phone: str = ""
    name: str = ""


class FailedUser(BaseModel):
    failure: str
    user: FailedUserOut


class BatchCreateResponse(BaseModel):
    createdUsers: list[UserResponse]
    failedUsers: list[FailedUser]


def _wrapped(user: User) -> UserWrapper:
    return UserWrapper(user=UserResponse.of(user))


def _users(found: list[User]) -> list[UserResponse]:
    return [UserResponse.of(user) for user in found]


# --- create, load, delete ------------------------------------------------------------------
async def create_user(body: CreateUserRequest, call: MgmtDep) -> UserWrapper:
    """Create a user (no verification, nothing sent); ``invite`` leaves it ``invited`` until it signs in."""
    return _wrapped(await users.create_user(call.ctx, call.project, body.new_user(test=bool(body.test))))


async def create_test_user(body: CreateUserRequest, call: MgmtDep) -> UserWrapper:
    """Create a test user (``test: true``; its JWTs carry ``tu: true``)."""
    return _wrapped(await users.create_user(call.ctx, call.project, body.new_user(test=True)))


async def create_users(body: BatchCreateRequest, call: MgmtDep) -> BatchCreateResponse:
    """Create many users; each failure is reported and does not stop the others."""
    if not body.users:
        raise MissingArgument("At least one user is required")
    batch = [user.new_user(test=bool(user.test), invite=bool(body.invite)) for user in body.users]
    result = await users.create_users(call.ctx, call.project, batch)
    failed = [
        FailedUser(
            failure=failure,
            user=FailedUserOut(
                loginIds=[new.login_id, *(new.fields.additional_login_ids or ())],
                email=new.fields.email or "",
                phone=new.fields.phone or "",
                name=new.fields.name or "",
            ),
        )
        for new, failure in result.failed
    ]
    return BatchCreateResponse(createdUsers=_users(result.created), failedUsers=failed)


async def load_user(
    call: MgmtDep,
    loginId: Annotated[str | None, Query(max_length=320)] = None,
    userId: Annotated[str | None, Query(max_length=64)] = None,
) -> UserWrapper:
    """Load a user by ``loginId`` or ``userId`` (E112102 if absent)."""
    return _wrapped(await users.load_user(call.ctx, call.project, login_id=loginId, user_id=userId))


async def load_users(body: LoadUsersRequest, call: MgmtDep) -> UsersResponse:
    """The users with the given IDs (unknown IDs are left out)."""
    if not body.userIds:
        raise MissingArgument("At least one user ID is required")
    return UsersResponse(users=_users(await users.load_users(call.ctx, call.project, body.userIds)))


async def search_users(body: UserSearchRequest, call: MgmtDep) -> UserSearchResponse:
    """A page of users matching every given filter; test users only with ``withTestUser``."""
    found, total = await users.search_users(call.ctx, call.project, body.query())
    return UserSearchResponse(users=_users(found), total=total)


async def search_test_users(body: UserSearchRequest, call: MgmtDep) -> UserSearchResponse:
    """As search, over test users only."""
    found, total = await users.search_users(call.ctx, call.project, body.query(test_only=True))
    return UserSearchResponse(users=_users(found), total=total)


async def delete_user(body: MgmtUserRefRequest, call: MgmtDep) -> EmptyResponse:
    """Delete a user and revoke its sessions (succeeds if it is already gone)."""
    await users.delete_user(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def delete_test_users(call: MgmtDep) -> EmptyResponse:
    """Delete every test user of the project."""
    await users.delete_test_users(call.ctx, call.project)
    return EmptyResponse()


# --- update and patch ------------------------------------------------------------------------
async def update_user(body: UserFieldsRequest, call: MgmtDep) -> UserWrapper:
    """Replace the user: every field not given becomes empty (roles and tenants included)."""
    return _wrapped(await users.update_user(call.ctx, call.project, body.loginId, body.fields()))


async def patch_user(body: UserFieldsRequest, call: MgmtDep) -> UserWrapper:
    """Change only the given fields (custom attributes merge key by key)."""
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, body.fields()))


async def update_status(body: StatusRequest, call: MgmtDep) -> UserWrapper:
    """Enable or disable the user; disabling revokes all its refresh tokens at once."""
    if body.status is None:
        raise MissingArgument("status is required")
    fields = users.UserFields(status=UserStatus(body.status))
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_name(body: NameUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Change the given name fields (an empty string clears one)."""
    fields = users.UserFields(
        name=body.displayName if body.displayName is not None else body.name,
        given_name=body.givenName,
        middle_name=body.middleName,
        family_name=body.familyName,
    )
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_picture(body: PictureUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Set the picture URL (empty or absent removes it)."""
    fields = users.UserFields(picture=body.picture or "")
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_custom_attribute(body: CustomAttributeUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Set one custom attribute; the others stay."""
    if not body.attributeKey:
        raise MissingArgument("attributeKey is required")
    fields = users.UserFields(custom_attributes={body.attributeKey: body.attributeValue})
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_login_id(body: LoginIdUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Replace a login ID (or remove it when ``newLoginId`` is empty; the last one stays)."""
    return _wrapped(await user_edits.update_login_id(call.ctx, call.project, body.loginId, body.newLoginId))


async def update_email(body: EmailUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Set or remove the email; a login ID equal to the old email follows it."""
    user = await user_edits.update_address(
        call.ctx,
        call.project,
        body.loginId,
        phone=False,
        address=body.email or "",
        verified=body.verified,
        fail_on_conflict=bool(body.failOnConflict),
    )
    return _wrapped(user)


async def update_phone(body: PhoneUpdateRequest, call: MgmtDep) -> UserWrapper:
    """Set or remove the phone; a login ID equal to the old phone follows it."""
    user = await user_edits.update_address(
        call.ctx,
        call.project,
        body.loginId,
        phone=True,
        address=body.phone or "",
        verified=body.verified,
        fail_on_conflict=bool(body.failOnConflict),
    )
    return _wrapped(user)


# --- roles, tenants, sessions, history -------------------------------------------------------
async def _roles(body: RolesRequest, call: MgmtDep, change: RoleChange) -> UserWrapper:
    names = tuple(body.roleNames or ())
    user = await user_edits.change_roles(call.ctx, call.project, body.loginId, names, change, body.tenantId or "")
    return _wrapped(user)


async def set_roles(body: RolesRequest, call: MgmtDep) -> UserWrapper:
    """Make the given roles the user's only project roles (or only roles in ``tenantId``)."""
    return await _roles(body, call, RoleChange.SET)


async def add_roles(body: RolesRequest, call: MgmtDep) -> UserWrapper:
    """Add project roles (or roles in ``tenantId``, joining it if needed)."""
    return await _roles(body, call, RoleChange.ADD)


async def remove_roles(body: RolesRequest, call: MgmtDep) -> UserWrapper:
    """Remove project roles (or roles in ``tenantId``)."""
    return await _roles(body, call, RoleChange.REMOVE)


async def add_tenant(body: TenantRequest, call: MgmtDep) -> UserWrapper:
    """Make the user a member of the tenant."""
    return _wrapped(await user_edits.add_tenant(call.ctx, call.project, body.loginId, body.tenantId))


async def remove_tenant(body: TenantRequest, call: MgmtDep) -> UserWrapper:
    """End the user's membership of the tenant (and its roles there)."""
    return _wrapped(await user_edits.remove_tenant(call.ctx, call.project, body.loginId, body.tenantId))


async def logout_user(body: MgmtUserRefRequest, call: MgmtDep) -> EmptyResponse:
    """Revoke every refresh token of the user."""
    await user_edits.logout_user(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def user_history(body: Annotated[list[IdString], Body(max_length=100)], call: MgmtDep) -> list[HistoryEntry]:
    """Sign-ins of the users whose IDs make up the (bare array) body, newest first, as a bare array."""
    records = await user_edits.history(call.ctx, call.project, body)
    return [HistoryEntry.of(record) for record in records]


# --- test helpers and license ----------------------------------------------------------------
async def generate_otp(body: GenerateOTPRequest, call: MgmtDep) -> GenerateOTPResponse:
    """A code for a test user, sent nowhere; verify it at ``/v1/auth/otp/verify/{method}``."""
    if not body.loginId:
        raise MissingArgument("Missing field: loginId")
    kind = body.deliveryMethod or "email"
    method = None if kind == "Embedded" else Method(kind)
    claims = (body.loginOptions.customClaims if body.loginOptions else None) or {}
    code = await users.generate_test_otp(call.ctx, call.project, body.loginId, method, claims)
    return GenerateOTPResponse(loginId=body.loginId, code=code)


async def license_tier(call: MgmtDep) -> LicenseResponse:
    """The license handshake the SDKs make at start (any tier works; we say the highest)."""
    return LicenseResponse()


# Routes of this module beyond the ones listed in ``routes.py`` (method, path, endpoint, tag).
ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/mgmt/user/create/batch", create_users, "management"),
    ("POST", "/v1/mgmt/user/update", update_user, "management"),
    ("PATCH", "/v1/mgmt/user/patch", patch_user, "management"),
    ("POST", "/v1/mgmt/users/load", load_users, "management"),
    ("POST", "/v2/mgmt/user/search", search_users, "management"),
    ("POST", "/v2/mgmt/user/search/test", search_test_users, "management"),
    ("DELETE", "/v1/mgmt/user/test/delete/all", delete_test_users, "management"),
    ("POST", "/v1/mgmt/user/logout", logout_user, "management"),
    ("POST", "/v1/mgmt/user/update/status", update_status, "management"),
    ("POST", "/v1/mgmt/user/update/loginid", update_login_id, "management"),
    ("POST", "/v1/mgmt/user/update/email", update_email, "management"),
    ("POST", "/v1/mgmt/user/update/phone", update_phone, "management"),
    ("POST", "/v1/mgmt/user/update/name", update_name, "management"),
    ("POST", "/v1/mgmt/user/update/picture", update_picture, "management"),
    ("POST", "/v1/mgmt/user/update/customAttribute", update_custom_attribute, "management"),
    ("POST", "/v1/mgmt/user/update/role/set", set_roles, "management"),
    ("POST", "/v2/mgmt/user/update/role/add", add_roles, "management"),
    ("POST", "/v1/mgmt/user/update/role/remove", remove_roles, "management"),
    ("POST", "/v1/mgmt/user/update/tenant/add", add_tenant, "management"),
    ("POST", "/v1/mgmt/user/update/tenant/remove", remove_tenant, "management"),
    ("POST", "/v1/mgmt/user/history", user_history, "management"),
]
