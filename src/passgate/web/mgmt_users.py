"""Endpoints of the management routes delivered so far: users, test helpers, license."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query

from passgate.errors import MissingArgument
from passgate.mgmt import users
from passgate.models import Method
from passgate.web.bearer import MgmtDep
from passgate.web.schemas import (
    EmptyResponse,
    GenerateOTPRequest,
    GenerateOTPResponse,
    LicenseResponse,
    MgmtUserCreateRequest,
    MgmtUserRefRequest,
    UserResponse,
    UserWrapper,
)


def _new_user(body: MgmtUserCreateRequest, *, test: bool) -> users.NewUser:
    return users.NewUser(
        login_id=body.loginId or "",
        profile=body.to_profile(),
        additional_login_ids=tuple(body.additionalLoginIds or body.additionalIdentifiers or ()),
        test=test,
    )


async def create_user(body: MgmtUserCreateRequest, call: MgmtDep) -> UserWrapper:
    """Create a user (no verification, nothing sent)."""
    user = await users.create_user(call.ctx, call.project, _new_user(body, test=bool(body.test)))
    return UserWrapper(user=UserResponse.of(user))


async def create_test_user(body: MgmtUserCreateRequest, call: MgmtDep) -> UserWrapper:
    """Create a test user (``test: true``; its JWTs carry ``tu: true``)."""
    user = await users.create_user(call.ctx, call.project, _new_user(body, test=True))
    return UserWrapper(user=UserResponse.of(user))


async def load_user(
    call: MgmtDep,
    loginId: Annotated[str | None, Query(max_length=320)] = None,
    userId: Annotated[str | None, Query(max_length=64)] = None,
) -> UserWrapper:
    """Load a user by ``loginId`` or ``userId`` (E112102 if absent)."""
    user = await users.load_user(call.ctx, call.project, login_id=loginId, user_id=userId)
    return UserWrapper(user=UserResponse.of(user))


async def delete_user(body: MgmtUserRefRequest, call: MgmtDep) -> EmptyResponse:
    """Delete a user and revoke its sessions (succeeds if it is already gone)."""
    await users.delete_user(call.ctx, call.project, login_id=body.loginId, user_id=body.userId)
    return EmptyResponse()


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
ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
