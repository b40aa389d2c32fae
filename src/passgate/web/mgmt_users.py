"""Endpoints of user management (contract §5.1), the test-user OTP helper, and the license."""

from __future__ import annotations

from passgate.errors import MissingArgument
from passgate.mgmt import user_edits, user_transfer, users
from passgate.mgmt.grants import RoleChange
from passgate.models.delivery import Method
from passgate.models.users import User, UserStatus
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.sessions import HistoryEntry
from passgate.web.schemas.user_edits import (
    CustomAttributeUpdateRequest,
    EmailUpdateRequest,
    LoginIdUpdateRequest,
    NameUpdateRequest,
    PhoneUpdateRequest,
    PictureUpdateRequest,
    RolesRequest,
    StatusRequest,
    UserTenantRequest,
)
from passgate.web.schemas.users import (
    BatchCreateRequest,
    BatchCreateResponse,
    CreateUserRequest,
    DeleteUsersRequest,
    FailedUser,
    GenerateOTPRequest,
    GenerateOTPResponse,
    ImportFailure,
    ImportRequest,
    ImportResponse,
    LicenseResponse,
    LoadUsersRequest,
    MgmtUserRefRequest,
    PatchBatchRequest,
    PatchBatchResponse,
    UserFieldsRequest,
    UserIdList,
    UserLookup,
    UserResponse,
    UserSearchRequest,
    UserSearchResponse,
    UsersResponse,
    UserWrapper,
)


def _wrapped(user: User) -> UserWrapper:
    return UserWrapper(user=UserResponse.of(user))


def _users(found: list[User]) -> list[UserResponse]:
    return [UserResponse.of(user) for user in found]


async def create_user(body: CreateUserRequest, call: AuthCall) -> UserWrapper:
    """Create a user (no verification); with ``invite`` it is sent an invitation and stays
    ``invited`` until it signs in."""
    return _wrapped(await users.create_user(call.ctx, call.project, body.new_user(test=bool(body.test))))


async def create_test_user(body: CreateUserRequest, call: AuthCall) -> UserWrapper:
    """Create a test user (``test: true``; its JWTs carry ``tu: true``)."""
    return _wrapped(await users.create_user(call.ctx, call.project, body.new_user(test=True)))


async def create_users(body: BatchCreateRequest, call: AuthCall) -> BatchCreateResponse:
    """Create many users (``invite``: each sent an invitation); each failure is reported and
    does not stop the others."""
    if not body.users:
        raise MissingArgument("At least one user is required")
    invitation = body.invitation() if body.invite else None
    batch = [user.new_user(test=bool(user.test), invitation=invitation) for user in body.users]
    result = await users.create_users(call.ctx, call.project, batch)
    failed = [FailedUser.of(new.login_id, new.fields, failure) for new, failure in result.failed]
    return BatchCreateResponse(createdUsers=_users(result.done), failedUsers=failed)


async def patch_users(body: PatchBatchRequest, call: AuthCall) -> PatchBatchResponse:
    """Patch many users (as ``patch_user``); each failure is reported and does not stop the others."""
    result = await users.patch_users(call.ctx, call.project, body.patches())
    failed = [FailedUser.of(patch.login_id, patch.fields, failure) for patch, failure in result.failed]
    return PatchBatchResponse(patchedUsers=_users(result.done), failedUsers=failed)


async def delete_users(body: DeleteUsersRequest, call: AuthCall) -> EmptyResponse:
    """Delete the users with the given IDs and revoke their sessions (unknown IDs are skipped)."""
    await users.delete_users(call.ctx, call.project, body.userIds or [])
    return EmptyResponse()


async def load_user(call: AuthCall, query: UserLookup) -> UserWrapper:
    """Load a user by ``loginId`` or ``userId`` (E112102 if absent)."""
    return _wrapped(await users.load_user(call.ctx, call.project, login_id=query.loginId, user_id=query.userId))


async def load_users(body: LoadUsersRequest, call: AuthCall) -> UsersResponse:
    """The users with the given IDs (unknown IDs are left out)."""
    if not body.userIds:
        raise MissingArgument("At least one user ID is required")
    return UsersResponse(users=_users(await users.load_users(call.ctx, call.project, body.userIds)))


async def search_users(body: UserSearchRequest, call: AuthCall) -> UserSearchResponse:
    """A page of users matching every given filter; test users only with ``withTestUser``."""
    found, total = await users.search_users(call.ctx, call.project, body.query())
    return UserSearchResponse(users=_users(found), total=total)


async def search_test_users(body: UserSearchRequest, call: AuthCall) -> UserSearchResponse:
    """As search, over test users only."""
    found, total = await users.search_users(call.ctx, call.project, body.query(test_only=True))
    return UserSearchResponse(users=_users(found), total=total)


async def delete_user(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Delete a user and revoke its sessions (succeeds if it is already gone)."""
    await users.delete_user(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def delete_test_users(call: AuthCall) -> EmptyResponse:
    """Delete every test user of the project."""
    await users.delete_test_users(call.ctx, call.project)
    return EmptyResponse()


async def update_user(body: UserFieldsRequest, call: AuthCall) -> UserWrapper:
    """Replace the user: every field not given becomes empty (roles and tenants included)."""
    return _wrapped(await users.update_user(call.ctx, call.project, body.loginId, body.fields()))


async def patch_user(body: UserFieldsRequest, call: AuthCall) -> UserWrapper:
    """Change only the given fields (custom attributes merge key by key)."""
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, body.fields()))


async def update_status(body: StatusRequest, call: AuthCall) -> UserWrapper:
    """Enable or disable the user; disabling revokes all its refresh tokens at once."""
    if body.status is None:
        raise MissingArgument("status is required")
    fields = users.UserFields(status=UserStatus(body.status))
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_name(body: NameUpdateRequest, call: AuthCall) -> UserWrapper:
    """Change the given name fields (an empty string clears one)."""
    fields = users.UserFields(
        name=body.displayName if body.displayName is not None else body.name,
        given_name=body.givenName,
        middle_name=body.middleName,
        family_name=body.familyName,
    )
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_picture(body: PictureUpdateRequest, call: AuthCall) -> UserWrapper:
    """Set the picture URL (empty or absent removes it)."""
    fields = users.UserFields(picture=body.picture or "")
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_custom_attribute(body: CustomAttributeUpdateRequest, call: AuthCall) -> UserWrapper:
    """Set one custom attribute; the others stay."""
    if not body.attributeKey:
        raise MissingArgument("attributeKey is required")
    fields = users.UserFields(custom_attributes={body.attributeKey: body.attributeValue})
    return _wrapped(await users.patch_user(call.ctx, call.project, body.loginId, fields))


async def update_login_id(body: LoginIdUpdateRequest, call: AuthCall) -> UserWrapper:
    """Replace a login ID (or remove it when ``newLoginId`` is empty; the last one stays)."""
    return _wrapped(await user_edits.update_login_id(call.ctx, call.project, body.loginId, body.newLoginId))


async def update_email(body: EmailUpdateRequest, call: AuthCall) -> UserWrapper:
    """Set or remove the email; a login ID equal to the old email follows it."""
    return await _update_address(body, call, phone=False, address=body.email)


async def update_phone(body: PhoneUpdateRequest, call: AuthCall) -> UserWrapper:
    """Set or remove the phone; a login ID equal to the old phone follows it."""
    return await _update_address(body, call, phone=True, address=body.phone)


async def _update_address(
    body: EmailUpdateRequest | PhoneUpdateRequest, call: AuthCall, *, phone: bool, address: str | None
) -> UserWrapper:
    user = await user_edits.update_address(
        call.ctx,
        call.project,
        body.loginId,
        phone=phone,
        address=address or "",
        verified=body.verified,
        fail_on_conflict=bool(body.failOnConflict),
    )
    return _wrapped(user)


async def _roles(body: RolesRequest, call: AuthCall, change: RoleChange) -> UserWrapper:
    names = tuple(body.roleNames or ())
    user = await user_edits.change_roles(call.ctx, call.project, body.loginId, names, change, body.tenantId or "")
    return _wrapped(user)


async def set_roles(body: RolesRequest, call: AuthCall) -> UserWrapper:
    """Make the given roles the user's only project roles (or only roles in ``tenantId``)."""
    return await _roles(body, call, RoleChange.SET)


async def add_roles(body: RolesRequest, call: AuthCall) -> UserWrapper:
    """Add project roles (or roles in ``tenantId``, joining it if needed)."""
    return await _roles(body, call, RoleChange.ADD)


async def remove_roles(body: RolesRequest, call: AuthCall) -> UserWrapper:
    """Remove project roles (or roles in ``tenantId``)."""
    return await _roles(body, call, RoleChange.REMOVE)


async def add_tenant(body: UserTenantRequest, call: AuthCall) -> UserWrapper:
    """Make the user a member of the tenant."""
    return _wrapped(await user_edits.add_tenant(call.ctx, call.project, body.loginId, body.tenantId))


async def remove_tenant(body: UserTenantRequest, call: AuthCall) -> UserWrapper:
    """End the user's membership of the tenant (and its roles there)."""
    return _wrapped(await user_edits.remove_tenant(call.ctx, call.project, body.loginId, body.tenantId))


async def logout_user(body: MgmtUserRefRequest, call: AuthCall) -> EmptyResponse:
    """Revoke every refresh token of the user."""
    await user_edits.logout_user(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


async def user_history(body: UserIdList, call: AuthCall) -> list[HistoryEntry]:
    """Sign-ins of the users whose IDs make up the (bare array) body, newest first, as a bare array."""
    records = await user_edits.history(call.ctx, call.project, body)
    return [HistoryEntry.of(record) for record in records]


async def generate_otp(body: GenerateOTPRequest, call: AuthCall) -> GenerateOTPResponse:
    """A code for a test user, sent nowhere; verify it at ``/v1/auth/otp/verify/{method}``."""
    if not body.loginId:
        raise MissingArgument("Missing field: loginId")
    kind = body.deliveryMethod or "email"
    method = None if kind == "Embedded" else Method(kind)
    claims = (body.loginOptions.customClaims if body.loginOptions else None) or {}
    code = await users.generate_test_otp(call.ctx, call.project, body.loginId, method, claims)
    return GenerateOTPResponse(loginId=body.loginId, code=code)


async def license_tier(call: AuthCall) -> LicenseResponse:
    """The license handshake the SDKs make at start (any tier works; we say the highest)."""
    return LicenseResponse()


async def import_users(body: ImportRequest, call: AuthCall) -> ImportResponse:
    """Import users from another system's export (``source``: auth0, firebase, supabase) or
    from passgate's JSON lines (``source``: passgate), each file base64; ``dryrun`` checks
    and writes nothing. Each user that could not be imported is a failure with its reason."""
    outcome = await user_transfer.import_encoded(
        call.ctx,
        call.project,
        source=required(body.source, "source"),
        users=body.users or "",
        hashes=body.hashes or "",
        dry_run=bool(body.dryrun),
    )
    return ImportResponse(
        users=_users(outcome.users),
        failures=[ImportFailure(user=f.login_id or f"line {f.line}", reason=f.reason) for f in outcome.failures],
    )
