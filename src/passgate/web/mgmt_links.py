"""Management helpers that mint links without sending anything: test users and embedded links."""

from __future__ import annotations

import dataclasses

from passgate.auth import links
from passgate.models.delivery import Method
from passgate.models.users import UserProfile
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import required
from passgate.web.schemas.links import (
    EmbeddedSignInRequest,
    EmbeddedSignUpRequest,
    GenerateEnchantedLinkRequest,
    GenerateEnchantedLinkResponse,
    GenerateMagicLinkRequest,
    GenerateMagicLinkResponse,
    TokenResponse,
)

EMBEDDED_DEFAULT_SECONDS = 600


async def generate_magic_link(body: GenerateMagicLinkRequest, call: AuthCall) -> GenerateMagicLinkResponse:
    """A magic link for a test user, sent nowhere; verify its token at ``/v1/auth/magiclink/verify``."""
    login_id = required(body.loginId, "loginId")
    kind = body.deliveryMethod or "email"
    method = Method.EMAIL if kind == "Embedded" else Method(kind)
    claims = (body.loginOptions.customClaims if body.loginOptions else None) or {}
    link = await links.generate_magic_for_test_user(call.ctx, call.project, login_id, method, body.redirect, claims)
    return GenerateMagicLinkResponse(loginId=login_id, link=link)


async def generate_enchanted_link(body: GenerateEnchantedLinkRequest, call: AuthCall) -> GenerateEnchantedLinkResponse:
    """The right enchanted link and its ``pendingRef`` for a test user, sent nowhere."""
    login_id = required(body.loginId, "loginId")
    claims = (body.loginOptions.customClaims if body.loginOptions else None) or {}
    link, pending_ref = await links.generate_enchanted_for_test_user(
        call.ctx, call.project, login_id, body.redirect, claims
    )
    return GenerateEnchantedLinkResponse(loginId=login_id, link=link, pendingRef=pending_ref)


async def embedded_sign_in(body: EmbeddedSignInRequest, call: AuthCall) -> TokenResponse:
    """A sign-in token for any existing user (default lifetime 10 minutes)."""
    token = await links.embedded_token(
        call.ctx,
        call.project,
        required(body.loginId, "loginId"),
        body.customClaims or {},
        body.timeout or EMBEDDED_DEFAULT_SECONDS,
    )
    return TokenResponse(token=token)


async def embedded_sign_up(body: EmbeddedSignUpRequest, call: AuthCall) -> TokenResponse:
    """Create a user and return a sign-in token for it (E062107 if the login ID exists)."""
    login_id = required(body.loginId, "loginId")
    profile = body.user.to_profile() if body.user else UserProfile()
    profile = dataclasses.replace(
        profile, verified_email=bool(body.emailVerified), verified_phone=bool(body.phoneVerified)
    )
    claims = (body.loginOptions.customClaims if body.loginOptions else None) or {}
    token = await links.embedded_sign_up_token(
        call.ctx, call.project, login_id, profile, claims, body.timeout or EMBEDDED_DEFAULT_SECONDS
    )
    return TokenResponse(token=token)
