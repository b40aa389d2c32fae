"""Endpoints of ``/v1/auth/totp/*``."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import totp
from passgate.errors import InvalidArgument
from passgate.models.users import UserProfile
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import login_options
from passgate.web.schemas.base import required
from passgate.web.schemas.sessions import JWTResponse
from passgate.web.schemas.totp import TotpEnrolmentResponse, TotpSignUpRequest, TotpUpdateRequest, TotpVerifyRequest


async def sign_up(body: TotpSignUpRequest, call: AuthCall) -> TotpEnrolmentResponse:
    """Create a user with an authenticator app to set up (E062107 if the login ID exists)."""
    profile = body.user.to_profile() if body.user else UserProfile()
    enrolment = await totp.sign_up(call.ctx, call.project, required(body.loginId, "loginId"), profile)
    return TotpEnrolmentResponse.of(enrolment)


async def verify(body: TotpVerifyRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Exchange a code from the user's app for a session."""
    code = required(body.code, "code").strip()
    if not code.isdigit():
        raise InvalidArgument("The code must be digits")
    tokens = await totp.verify(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        code,
        login_options(body.loginOptions),
        call.refresh_jwt,
        call.caller,
    )
    return jwt_answer(call.project, tokens, response)


async def update(body: TotpUpdateRequest, call: AuthCall) -> TotpEnrolmentResponse:
    """A new app for the signed-in user; the old one works until the new one's first code."""
    enrolment = await totp.update(call.ctx, call.project, required(body.loginId, "loginId"), call.refresh_jwt)
    return TotpEnrolmentResponse.of(enrolment)
