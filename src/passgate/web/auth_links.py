"""Endpoints of ``/v1/auth/magiclink/*`` and ``/v1/auth/enchantedlink/*``."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import links
from passgate.auth.links import EnchantedStart, Start
from passgate.models.delivery import Method
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.parsing import email_update, login_options, masked, phone_update, signup_address
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.links import (
    Enchanted,
    EnchantedEmailResponse,
    EnchantedPhoneResponse,
    LinkSignInRequest,
    LinkSignUpRequest,
    LinkUpdateEmailRequest,
    LinkUpdatePhoneRequest,
    PendingRefRequest,
    TokenRequest,
)
from passgate.web.schemas.otp import Masked, MaskedEmailResponse, MaskedPhoneResponse
from passgate.web.schemas.sessions import JWTResponse


def _sign_up(method: Method, body: LinkSignUpRequest) -> Start:
    return Start(
        kind="signup",
        method=method,
        login_id=required(body.loginId, "loginId"),
        redirect_url=body.redirect,
        options=login_options(body.loginOptions),
        address=signup_address(method, body),
        profile=body.user.to_profile() if body.user else None,
    )


def _sign_in(kind: str, method: Method, body: LinkSignInRequest, call: AuthCall) -> Start:
    return Start(
        kind=kind,
        method=method,
        login_id=required(body.loginId, "loginId"),
        redirect_url=body.redirect,
        options=login_options(body.loginOptions),
        refresh_jwt=call.refresh_jwt,
    )


def _enchanted(method: Method, started: EnchantedStart) -> Enchanted:
    if method.is_phone:
        return EnchantedPhoneResponse(
            linkId=started.link_id, pendingRef=started.pending_ref, maskedPhone=started.masked
        )
    return EnchantedEmailResponse(linkId=started.link_id, pendingRef=started.pending_ref, maskedEmail=started.masked)


async def magic_sign_up(method: Method, body: LinkSignUpRequest, call: AuthCall) -> Masked:
    """Send a sign-up magic link to a new login ID."""
    return masked(method, await links.start_magic(call.ctx, call.project, _sign_up(method, body)))


async def magic_sign_in(method: Method, body: LinkSignInRequest, call: AuthCall) -> Masked:
    """Send a sign-in magic link to an existing user."""
    return masked(method, await links.start_magic(call.ctx, call.project, _sign_in("signin", method, body, call)))


async def magic_sign_up_or_in(method: Method, body: LinkSignInRequest, call: AuthCall) -> Masked:
    """Send a magic link that signs in, or signs up a new login ID."""
    return masked(method, await links.start_magic(call.ctx, call.project, _sign_in("signup-in", method, body, call)))


async def magic_verify(body: TokenRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Exchange a magic-link or embedded-link token for a session (POST only: a GET never consumes)."""
    tokens = await links.verify_magic(call.ctx, call.project, required(body.token, "token"), call.caller)
    return jwt_answer(call.project, tokens, response)


async def magic_update_email(body: LinkUpdateEmailRequest, call: AuthCall) -> MaskedEmailResponse:
    """Send a magic link to a signed-in user's new email."""
    update = email_update(body, body.redirect)
    return MaskedEmailResponse(
        maskedEmail=await links.start_magic_update(call.ctx, call.project, update, call.refresh_jwt)
    )


async def magic_update_phone(body: LinkUpdatePhoneRequest, call: AuthCall) -> MaskedPhoneResponse:
    """Send a magic link by SMS to a signed-in user's new phone (Python's path, no suffix)."""
    return await magic_update_phone_by(Method.SMS, body, call)


async def magic_update_phone_by(method: Method, body: LinkUpdatePhoneRequest, call: AuthCall) -> MaskedPhoneResponse:
    """Send a magic link to a signed-in user's new phone by the given method (Go's path)."""
    update = phone_update(method, body, body.redirect)
    return MaskedPhoneResponse(
        maskedPhone=await links.start_magic_update(call.ctx, call.project, update, call.refresh_jwt)
    )


async def enchanted_sign_up(method: Method, body: LinkSignUpRequest, call: AuthCall) -> Enchanted:
    """Start an enchanted-link sign-up; poll the returned ``pendingRef``."""
    return _enchanted(method, await links.start_enchanted(call.ctx, call.project, _sign_up(method, body)))


async def enchanted_sign_in(method: Method, body: LinkSignInRequest, call: AuthCall) -> Enchanted:
    """Start an enchanted-link sign-in."""
    start = _sign_in("signin", method, body, call)
    return _enchanted(method, await links.start_enchanted(call.ctx, call.project, start))


async def enchanted_sign_up_or_in(method: Method, body: LinkSignInRequest, call: AuthCall) -> Enchanted:
    """Start an enchanted-link sign-in, or sign-up of a new login ID."""
    start = _sign_in("signup-in", method, body, call)
    return _enchanted(method, await links.start_enchanted(call.ctx, call.project, start))


async def enchanted_verify(body: TokenRequest, call: AuthCall) -> EmptyResponse:
    """The user clicked a link: the right one completes the login, a wrong one voids the set."""
    await links.verify_enchanted(call.ctx, call.project, required(body.token, "token"), call.caller)
    return EmptyResponse()


async def enchanted_pending_session(body: PendingRefRequest, call: AuthCall, response: Response) -> JWTResponse:
    """The session once the link was clicked (exactly once); 401 E062503 while pending."""
    tokens = await links.pending_session(call.ctx, call.project, required(body.pendingRef, "pendingRef"))
    return jwt_answer(call.project, tokens, response)


async def enchanted_update_email(body: LinkUpdateEmailRequest, call: AuthCall) -> EnchantedEmailResponse:
    """Send an enchanted link set to a signed-in user's new email."""
    started = await links.start_enchanted_update(
        call.ctx, call.project, email_update(body, body.redirect), call.refresh_jwt
    )
    return EnchantedEmailResponse(linkId=started.link_id, pendingRef=started.pending_ref, maskedEmail=started.masked)


async def enchanted_update_phone(
    method: Method, body: LinkUpdatePhoneRequest, call: AuthCall
) -> EnchantedPhoneResponse:
    """Send an enchanted link by SMS to a signed-in user's new phone."""
    update = phone_update(method, body, body.redirect)
    started = await links.start_enchanted_update(call.ctx, call.project, update, call.refresh_jwt)
    return EnchantedPhoneResponse(linkId=started.link_id, pendingRef=started.pending_ref, maskedPhone=started.masked)
