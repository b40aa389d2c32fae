"""Descope's User object and the management API's user requests and answers (contract §4, §5.1)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from passgate.auth import passwords
from passgate.errors import InvalidArgument, MissingArgument
from passgate.mgmt import users
from passgate.mgmt.grants import TenantRoles
from passgate.mgmt.invitations import Invitation
from passgate.mgmt.users import UserPatch  # by name: the ``users`` fields below shadow the module
from passgate.models.sessions import LoginOptions
from passgate.models.users import SortField, TestUsers, User, UserProfile, UserQuery, UserStatus
from passgate.web.schemas.base import (
    UNIX_MS,
    AuditedRequest,
    AuditedResponse,
    LoginIdFilter,
    LoginIdString,
    LoginOptionsIn,
    Request,
)


class UserTenantOut(BaseModel):
    tenantId: str
    tenantName: str = ""
    roleNames: list[str] = []
    permissions: list[str] = []


class UserResponse(AuditedResponse):
    """Descope's User object (contract §4)."""

    userId: str
    loginIds: list[str]
    name: str
    givenName: str
    middleName: str
    familyName: str
    email: str
    verifiedEmail: bool
    phone: str
    verifiedPhone: bool
    roleNames: list[str]
    userTenants: list[UserTenantOut]
    permissions: list[str]
    status: str
    externalIds: list[str]
    picture: str
    test: bool
    customAttributes: dict[str, Any]
    createdTime: int
    modifiedTime: int
    TOTP: bool = False
    SAML: bool = False
    SCIM: bool = False
    OIDC: bool = False
    push: bool = False
    OAuth: dict[str, bool] = {}  # noqa: RUF012 (pydantic copies defaults; ruff sees no BaseModel through the base class)
    webauthn: bool = False
    password: bool = False
    ssoAppIds: list[str] = []  # noqa: RUF012 (as above)
    editable: bool = True
    consentExpiration: int = 0

    def audited_user_id(self) -> str | None:
        return self.userId

    @classmethod
    def of(cls, user: User) -> UserResponse:
        return cls(
            userId=user.id,
            loginIds=list(user.login_ids),
            name=user.name,
            givenName=user.given_name,
            middleName=user.middle_name,
            familyName=user.family_name,
            email=user.email,
            verifiedEmail=user.verified_email,
            phone=user.phone,
            verifiedPhone=user.verified_phone,
            roleNames=list(user.authz.role_names),
            userTenants=[
                UserTenantOut(
                    tenantId=t.tenant_id,
                    tenantName=t.tenant_name,
                    roleNames=list(t.role_names),
                    permissions=list(t.permissions),
                )
                for t in user.authz.tenants
            ],
            permissions=list(user.authz.permissions),
            status=user.status.value,
            externalIds=list(user.login_ids),
            picture=user.picture,
            test=user.test,
            customAttributes=user.custom_attributes,
            createdTime=int(user.created_at),
            modifiedTime=int(user.modified_at),
            TOTP=user.totp,
            webauthn=user.webauthn,
            password=user.password,
            OAuth=dict.fromkeys(user.oauth, True),
            SAML=user.saml,
        )


class UserWrapper(AuditedResponse):
    user: UserResponse

    def audited_user_id(self) -> str | None:
        return self.user.userId


class MgmtUserCreateRequest(AuditedRequest):
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    displayName: str | None = Field(default=None, max_length=400)
    name: str | None = Field(default=None, max_length=400)
    givenName: str | None = Field(default=None, max_length=200)
    middleName: str | None = Field(default=None, max_length=200)
    familyName: str | None = Field(default=None, max_length=200)
    picture: str | None = Field(default=None, max_length=2000)
    customAttributes: dict[str, Any] | None = None
    additionalLoginIds: list[LoginIdString] | None = Field(default=None, max_length=20)
    additionalIdentifiers: list[LoginIdString] | None = Field(default=None, max_length=20)
    verifiedEmail: bool | None = None
    verifiedPhone: bool | None = None
    test: bool | None = None

    def to_profile(self) -> UserProfile:
        return UserProfile(
            name=self.displayName or self.name or "",
            given_name=self.givenName or "",
            middle_name=self.middleName or "",
            family_name=self.familyName or "",
            email=self.email or "",
            phone=self.phone or "",
            picture=self.picture or "",
            verified_email=bool(self.verifiedEmail),
            verified_phone=bool(self.verifiedPhone),
            custom_attributes=self.customAttributes or {},
        )


class MgmtUserRefRequest(AuditedRequest):
    userId: str | None = Field(default=None, max_length=64)


class GenerateOTPRequest(AuditedRequest):
    deliveryMethod: Literal["email", "sms", "voice", "whatsapp", "Embedded"] | None = None
    loginOptions: LoginOptionsIn | None = None


class GenerateOTPResponse(BaseModel):
    loginId: str
    code: str


class LicenseResponse(BaseModel):
    rateLimitTier: str = "tier4"


IdString = Annotated[str, StringConstraints(max_length=64)]

NameString = Annotated[str, StringConstraints(max_length=200)]

StatusName = Literal["enabled", "disabled", "invited"]

TENANT_ID = Field(default=None, max_length=64)

NAMES = Field(default=None, max_length=100)


class TenantRolesIn(Request):
    tenantId: str | None = TENANT_ID
    roleNames: list[NameString] | None = NAMES

    def to_domain(self) -> TenantRoles:
        if not self.tenantId:
            raise MissingArgument("userTenants[].tenantId is required")
        return TenantRoles(tenant_id=self.tenantId, role_names=tuple(self.roleNames or ()))


class UserFieldsRequest(MgmtUserCreateRequest):
    """A user as create, update, patch and batch create send it (``ssoAppIDs``/``ssoAppIds``
    are accepted and ignored: passgate has no SSO apps)."""

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


class InvitationFields(Request):
    """How an invitation is sent (``invite: true``): the link, the channels, the texts."""

    inviteUrl: str | None = Field(default=None, max_length=2000, description="Else the project's invite_url.")
    sendMail: bool | None = Field(default=None, description="Invite by email (default: yes).")
    sendSMS: bool | None = Field(default=None, description="Invite by SMS (default: only a user without email).")
    templateId: str | None = Field(default=None, max_length=200)
    templateOptions: dict[str, str] | None = None
    locale: str | None = Field(default=None, max_length=35)

    def invitation(self) -> Invitation:
        return Invitation(
            url=self.inviteUrl or "",
            send_mail=self.sendMail,
            send_sms=self.sendSMS,
            options=LoginOptions(
                template_id=self.templateId or "",
                template_options=self.templateOptions or {},
                locale=self.locale or "",
            ),
        )


class CreateUserRequest(UserFieldsRequest, InvitationFields):
    invite: bool | None = None
    seed: str | None = Field(default=None, max_length=128)  # an authenticator app's base32 secret
    password: str | None = Field(default=None, max_length=1024)  # cleartext, checked against the policy
    hashedPassword: dict[str, Any] | None = None  # {<kind>: {...}}: a hash from another system

    def stored_hash(self) -> str:
        """The stored form of ``hashedPassword`` ("" if none); ``InvalidArgument`` if malformed."""
        if not self.hashedPassword:
            return ""
        return passwords.imported_hash(self.hashedPassword)

    def new_user(self, *, test: bool, invitation: Invitation | None = None) -> users.NewUser:
        """The user to create; invited with ``invitation`` (a batch's) or, with ``invite``, its own."""
        if invitation is None and self.invite:
            invitation = self.invitation()
        return users.NewUser(
            login_id=self.loginId or "",
            fields=self.fields(),
            test=test,
            invitation=invitation,
            totp_seed=self.seed or "",
            password=self.password or "",
            hashed_password=self.stored_hash(),
        )


class BatchCreateRequest(InvitationFields):
    """Many users; with ``invite``, each is invited as the batch's invitation fields say."""

    users: list[CreateUserRequest] | None = Field(default=None, max_length=1000)
    invite: bool | None = None


class PatchBatchRequest(Request):
    """``patch_batch``: each user by ``loginId`` with only the fields to change."""

    users: list[UserFieldsRequest] | None = Field(default=None, max_length=1000)

    def patches(self) -> list[UserPatch]:
        if not self.users:
            raise MissingArgument("At least one user is required")
        return [UserPatch(login_id=user.loginId or "", fields=user.fields()) for user in self.users]


class DeleteUsersRequest(Request):
    userIds: list[IdString] | None = Field(default=None, max_length=1000)


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
    emails: list[LoginIdFilter] | None = Field(default=None, max_length=1000)
    phones: list[Annotated[str, StringConstraints(max_length=40)]] | None = Field(default=None, max_length=1000)
    loginIds: list[LoginIdFilter] | None = Field(default=None, max_length=1000)
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
            sort=tuple((sort_field(s.field or ""), bool(s.desc)) for s in self.sort or ()),
            limit=self.limit or 100,
            page=self.page or 0,
        )


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

    @classmethod
    def of(cls, login_id: str, fields: users.UserFields, failure: str) -> FailedUser:
        """The user a batch asked for by ``login_id`` and ``fields``, and why it failed."""
        return cls(
            failure=failure,
            user=FailedUserOut(
                loginIds=[login_id, *(fields.additional_login_ids or ())],
                email=fields.email or "",
                phone=fields.phone or "",
                name=fields.name or "",
            ),
        )


class BatchCreateResponse(BaseModel):
    createdUsers: list[UserResponse]
    failedUsers: list[FailedUser]


class PatchBatchResponse(BaseModel):
    patchedUsers: list[UserResponse]
    failedUsers: list[FailedUser]


class UserLookup(BaseModel):
    """The query of ``GET /v1/mgmt/user``: one of the two."""

    loginId: LoginIdString | None = None
    userId: str | None = Field(default=None, max_length=64)


# The bare-array body of ``POST /v1/mgmt/user/history``.
UserIdList = Annotated[list[IdString], Field(max_length=100)]


# Descope's sortable field names -> the search's fields.
_SORT_FIELDS = {
    "userId": SortField.USER_ID,
    "loginId": SortField.LOGIN_ID,
    "name": SortField.NAME,
    "displayName": SortField.NAME,
    "givenName": SortField.GIVEN_NAME,
    "middleName": SortField.MIDDLE_NAME,
    "familyName": SortField.FAMILY_NAME,
    "email": SortField.EMAIL,
    "phone": SortField.PHONE,
    "status": SortField.STATUS,
    "test": SortField.TEST,
    "createdTime": SortField.CREATED,
    "modifiedTime": SortField.MODIFIED,
}


def sort_field(name: str) -> SortField:
    """The search field Descope's ``sort[].field`` names; ``InvalidArgument`` for any other."""
    try:
        return _SORT_FIELDS[name]
    except KeyError:
        raise InvalidArgument(f"Cannot sort by {name[:64]}; use one of {', '.join(_SORT_FIELDS)}") from None


class ImportRequest(Request):
    """``/v1/mgmt/user/import``: an export file of another system (or passgate's JSON lines), base64."""

    source: str | None = Field(default=None, max_length=40)
    dryrun: bool | None = None
    users: str | None = None
    hashes: str | None = None


class ImportFailure(BaseModel):
    user: str
    reason: str


class ImportResponse(BaseModel):
    users: list[UserResponse]
    failures: list[ImportFailure]
