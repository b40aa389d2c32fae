"""Magic links, enchanted links and embedded links.

A link is ``<approved URI>?t=<token>``: 256 random bits, stored only as a keyed hash,
single-use, expiring. Unlike a code, a new link does not void earlier ones (Descope).

An enchanted link is a set of three tokens labelled with distinct two-digit numbers, tied
to a pending session the starting device polls. Only the token labelled ``linkId``
authenticates; verifying any other voids the whole set and its pending session (stricter
than Descope, which only ignores wrong clicks: a wrong click is either a mistake, which
costs a resend, or someone guessing, which should end the attempt).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from passgate.auth import accounts, intents, minting, ratelimits, redirects
from passgate.auth.context import AuthContext, Caller
from passgate.auth.intent_details import (
    GrantDetails,
    grant_details_from_stored,
    grant_details_to_stored,
    intent_details_from_stored,
    intent_details_to_stored,
)
from passgate.auth.intents import AddressUpdate, Intent
from passgate.errors import (
    EnchantedLinkPending,
    InvalidArgument,
    InvalidLink,
    PendingSessionNotFound,
)
from passgate.identifiers import new_opaque_id
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions, SessionTokens
from passgate.models.users import UserProfile
from passgate.storage import links_store, sessions_store, users_store
from passgate.storage.database import Transaction
from passgate.storage.links_store import LinkToken

MAGIC, ENCHANTED, EMBEDDED = "magic", "enchanted", "embedded"
LINK_METHODS = (Method.EMAIL, Method.SMS, Method.WHATSAPP)
ENCHANTED_METHODS = (Method.EMAIL, Method.SMS)


@dataclass(frozen=True)
class EnchantedStart:
    link_id: str
    pending_ref: str
    masked: str


@dataclass(frozen=True)
class Start:
    """What a sign-in/up/up-or-in call asks for, whatever the link kind."""

    kind: str  # signup | signin | signup-in
    method: Method
    login_id: str
    redirect_url: str | None
    options: LoginOptions
    refresh_jwt: str | None = None
    address: str | None = None
    profile: UserProfile | None = None


def _hash(ctx: AuthContext, token: str) -> str:
    return ctx.secrets.code_mac("link", token)


def _check_method(method: Method, allowed: tuple[Method, ...]) -> None:
    if method not in allowed:
        names = ", ".join(m.value for m in allowed)
        raise InvalidArgument(f"Links are delivered by {names}")


def _redirect(project: Project, requested: str | None) -> str:
    settings = project.settings
    return redirects.resolve(
        requested, approved=list(settings.approved_redirect_urls), default=settings.default_redirect_url
    )


async def _intent(tx: Transaction, ctx: AuthContext, project: Project, start: Start) -> Intent:
    if start.kind == "signup":
        profile = start.profile or UserProfile()
        return await intents.for_sign_up(
            tx, project, start.method, start.login_id, start.address, profile, start.options
        )
    prior = await intents.prior_session(ctx, project, start.options, start.refresh_jwt)
    return await intents.for_sign_in(
        tx, project, start.method, start.login_id, start.options, prior, create_if_missing=start.kind == "signup-in"
    )


async def _store_token(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    intent: Intent,
    *,
    kind: str,
    expires_in: int,
    pending_id: str | None = None,
    decoy: bool = False,
) -> tuple[str, str]:
    """Create one token for ``intent``; returns (row id, cleartext token)."""
    token = secrets.token_urlsafe(32)
    now_ms = ctx.now_ms()
    row = LinkToken(
        id=new_opaque_id(),
        project_id=project.id,
        token_hash=_hash(ctx, token),
        kind=kind,
        login_id=intent.login_id,
        user_id=intent.user.id if intent.user else None,
        purpose=intent.purpose,
        method=intent.method.value,
        details=intent_details_to_stored(intent.details),
        state="pending",
        pending_id=pending_id,
        decoy=decoy,
        expires_at_ms=now_ms + expires_in * 1000,
    )
    await links_store.insert_token(tx, row, now_ms)
    return row.id, token


# --- magic links ------------------------------------------------------------------------------
async def start_magic(ctx: AuthContext, project: Project, start: Start) -> str:
    """Send a magic link; returns the masked address."""
    _check_method(start.method, LINK_METHODS)
    url = _redirect(project, start.redirect_url)
    async with ctx.db.transaction() as tx:
        intent = await _intent(tx, ctx, project, start)
        await _send_magic(tx, ctx, project, intent, url)
    ctx.notify_outbox()
    return intent.masked_target


async def start_magic_update(ctx: AuthContext, project: Project, update: AddressUpdate, refresh_jwt: str | None) -> str:
    """Send a magic link to a signed-in user's new address; it replaces the old one on verify."""
    _check_method(update.method, LINK_METHODS)
    url = _redirect(project, update.redirect_url)
    intent = await intents.for_update(ctx, project, update, refresh_jwt)
    async with ctx.db.transaction() as tx:
        await _send_magic(tx, ctx, project, intent, url)
    ctx.notify_outbox()
    return intent.masked_target


async def _send_magic(tx: Transaction, ctx: AuthContext, project: Project, intent: Intent, url: str) -> None:
    expires_in = project.settings.link_expiry_seconds
    token_id, token = await _store_token(tx, ctx, project, intent, kind=MAGIC, expires_in=expires_in)
    link = redirects.with_token(url, token)
    await intents.queue_message(tx, ctx, project, intent, secret_id=token_id, expires_in=expires_in, link=link)


async def verify_magic(ctx: AuthContext, project: Project, token: str, caller: Caller) -> SessionTokens:
    """Exchange a magic-link (or embedded-link) token for a session."""
    await ctx.limiter.hit(ratelimits.link_verifies(project, caller.ip))
    async with ctx.db.transaction() as tx:
        row = await _live_token(tx, ctx, project, token, kinds=(MAGIC, EMBEDDED))
        opened = await _complete(tx, ctx, project, row, caller)
    return await minting.mint(ctx, project, opened)


async def _live_token(
    tx: Transaction, ctx: AuthContext, project: Project, token: str, *, kinds: tuple[str, ...]
) -> LinkToken:
    row = await links_store.find_token(tx, project.id, _hash(ctx, token)) if token else None
    if row is None or row.kind not in kinds or row.state != "pending" or row.expires_at_ms <= ctx.now_ms():
        raise InvalidLink()
    return row


async def _complete(
    tx: Transaction, ctx: AuthContext, project: Project, row: LinkToken, caller: Caller
) -> minting.OpenedSession:
    if not await links_store.consume_token(tx, row.id, ctx.now_ms()):
        raise InvalidLink()
    return await intents.complete(
        tx,
        ctx,
        project,
        caller,
        purpose=row.purpose,
        login_id=row.login_id,
        user_id=row.user_id,
        method=Method(row.method),
        details=intent_details_from_stored(row.details),
    )


async def start_password_reset(
    ctx: AuthContext, project: Project, login_id: str, redirect_url: str | None, options: LoginOptions
) -> EnchantedStart | str:
    """Send a password reset link to the user's verified email, as the project's
    ``password_reset_method`` says: the masked address for a magic link, the enchanted start
    (link ID, pending reference, masked address) for an enchanted link."""
    url = _redirect(project, redirect_url)
    enchanted = project.settings.password_reset_method == "enchantedlink"  # noqa: S105 (a method name)
    async with ctx.db.transaction() as tx:
        intent = await intents.for_password_reset(tx, project, login_id, options)
        if enchanted:
            link_id, pending_ref = await _send_enchanted(tx, ctx, project, intent, url)
        else:
            await _send_magic(tx, ctx, project, intent, url)
    ctx.notify_outbox()
    if enchanted:
        return EnchantedStart(link_id=link_id, pending_ref=pending_ref, masked=intent.masked_target)
    return intent.masked_target


# --- enchanted links --------------------------------------------------------------------------
async def start_enchanted(ctx: AuthContext, project: Project, start: Start) -> EnchantedStart:
    """Send an enchanted link set; the caller polls ``pending_ref`` for the session."""
    _check_method(start.method, ENCHANTED_METHODS)
    url = _redirect(project, start.redirect_url)
    async with ctx.db.transaction() as tx:
        intent = await _intent(tx, ctx, project, start)
        link_id, pending_ref = await _send_enchanted(tx, ctx, project, intent, url)
    ctx.notify_outbox()
    return EnchantedStart(link_id=link_id, pending_ref=pending_ref, masked=intent.masked_target)


async def start_enchanted_update(
    ctx: AuthContext, project: Project, update: AddressUpdate, refresh_jwt: str | None
) -> EnchantedStart:
    """Send an enchanted link set to a signed-in user's new address."""
    _check_method(update.method, ENCHANTED_METHODS)
    url = _redirect(project, update.redirect_url)
    intent = await intents.for_update(ctx, project, update, refresh_jwt)
    async with ctx.db.transaction() as tx:
        link_id, pending_ref = await _send_enchanted(tx, ctx, project, intent, url)
    ctx.notify_outbox()
    return EnchantedStart(link_id=link_id, pending_ref=pending_ref, masked=intent.masked_target)


def _labels() -> list[str]:
    """Three distinct two-digit labels (10-99)."""
    labels: list[str] = []
    while len(labels) < 3:
        label = str(10 + secrets.randbelow(90))
        if label not in labels:
            labels.append(label)
    return labels


async def _new_pending(tx: Transaction, ctx: AuthContext, project: Project) -> tuple[str, str]:
    pending_id, pending_ref = new_opaque_id(), secrets.token_urlsafe(32)
    now_ms = ctx.now_ms()
    expires_ms = now_ms + project.settings.enchanted_link_expiry_seconds * 1000
    await links_store.insert_pending(
        tx,
        pending_id=pending_id,
        project_id=project.id,
        ref_hash=_hash(ctx, pending_ref),
        now_ms=now_ms,
        expires_ms=expires_ms,
    )
    return pending_id, pending_ref


async def _send_enchanted(
    tx: Transaction, ctx: AuthContext, project: Project, intent: Intent, url: str
) -> tuple[str, str]:
    pending_id, pending_ref = await _new_pending(tx, ctx, project)
    labels = _labels()
    link_id = labels[secrets.randbelow(3)]
    expires_in = project.settings.enchanted_link_expiry_seconds
    links: list[tuple[str, str]] = []
    secret_id = ""
    for label in labels:
        token_id, token = await _store_token(
            tx,
            ctx,
            project,
            intent,
            kind=ENCHANTED,
            expires_in=expires_in,
            pending_id=pending_id,
            decoy=label != link_id,
        )
        links.append((label, redirects.with_token(url, token)))
        if label == link_id:
            secret_id = token_id
    # An SMS carries only the right link (Descope); an email shows all three.
    shown = tuple(links) if intent.method is Method.EMAIL else tuple(p for p in links if p[0] == link_id)
    await intents.queue_message(tx, ctx, project, intent, secret_id=secret_id, expires_in=expires_in, links=shown)
    return link_id, pending_ref


async def verify_enchanted(ctx: AuthContext, project: Project, token: str, caller: Caller) -> None:
    """Mark the pending login done (right label) or void the set (wrong label)."""
    await ctx.limiter.hit(ratelimits.link_verifies(project, caller.ip))
    voided = False
    async with ctx.db.transaction() as tx:
        row = await _live_token(tx, ctx, project, token, kinds=(ENCHANTED,))
        if row.decoy and row.pending_id:
            await links_store.void_group(tx, row.pending_id)
            voided = True
        else:
            opened = await _complete(tx, ctx, project, row, caller)
            if row.pending_id and not await links_store.mark_ready(
                tx, row.pending_id, opened.record.id, grant_details_to_stored(GrantDetails.of(opened.grant))
            ):
                raise InvalidLink()
    if voided:
        raise InvalidLink("Wrong link: this sign-in was cancelled; request a new one")


async def pending_session(ctx: AuthContext, project: Project, pending_ref: str) -> SessionTokens:
    """The session of a clicked enchanted link, exactly once; ``EnchantedLinkPending`` before."""
    now_ms = ctx.now_ms()
    async with ctx.db.transaction() as tx:
        pending = await links_store.find_pending(tx, project.id, _hash(ctx, pending_ref)) if pending_ref else None
        if pending is None or pending.state in ("void", "claimed") or pending.expires_at_ms <= now_ms:
            raise PendingSessionNotFound()
        if pending.state == "pending":
            raise EnchantedLinkPending()
        details = grant_details_from_stored(pending.grant_details or {})
        if pending.session_id is None or not await links_store.claim_ready(tx, pending.id):
            raise PendingSessionNotFound()
        record = await sessions_store.get_session(tx, project.id, pending.session_id)
        user = await users_store.find_by_id(tx, project.id, record.user_id) if record else None
    if record is None or user is None:
        raise PendingSessionNotFound()
    opened = minting.OpenedSession(grant=details.grant(user, record.amr), record=record)
    return await minting.mint(ctx, project, opened)


# --- management helpers -----------------------------------------------------------------------
async def generate_magic_for_test_user(
    ctx: AuthContext, project: Project, login_id: str, method: Method, redirect_url: str | None, claims: dict[str, Any]
) -> str:
    """A magic link for a test user, sent nowhere."""
    url = _redirect(project, redirect_url)
    async with ctx.db.transaction() as tx:
        intent = await _test_user_intent(tx, project, login_id, method, claims)
        _, token = await _store_token(
            tx, ctx, project, intent, kind=MAGIC, expires_in=project.settings.link_expiry_seconds
        )
    return redirects.with_token(url, token)


async def generate_enchanted_for_test_user(
    ctx: AuthContext, project: Project, login_id: str, redirect_url: str | None, claims: dict[str, Any]
) -> tuple[str, str]:
    """An enchanted link (the right one only) and its pending ref, for a test user; sent nowhere."""
    url = _redirect(project, redirect_url)
    async with ctx.db.transaction() as tx:
        intent = await _test_user_intent(tx, project, login_id, Method.EMAIL, claims)
        pending_id, pending_ref = await _new_pending(tx, ctx, project)
        expires_in = project.settings.enchanted_link_expiry_seconds
        _, token = await _store_token(
            tx, ctx, project, intent, kind=ENCHANTED, expires_in=expires_in, pending_id=pending_id
        )
    return redirects.with_token(url, token), pending_ref


async def _test_user_intent(
    tx: Transaction, project: Project, login_id: str, method: Method, claims: dict[str, Any]
) -> Intent:
    intent = await intents.for_test_user(tx, project, login_id, method)
    return intents.with_management_claims(intent, claims)


async def embedded_token(
    ctx: AuthContext, project: Project, login_id: str, claims: dict[str, Any], timeout_seconds: int
) -> str:
    """A token for any existing user, verified at the magic-link verify route."""
    async with ctx.db.transaction() as tx:
        intent = await intents.for_existing_user(tx, project, login_id)
        intent = intents.with_management_claims(intent, claims)
        _, token = await _store_token(tx, ctx, project, intent, kind=EMBEDDED, expires_in=timeout_seconds)
    return token


async def embedded_sign_up_token(
    ctx: AuthContext,
    project: Project,
    login_id: str,
    profile: UserProfile,
    claims: dict[str, Any],
    timeout_seconds: int,
) -> str:
    """Create the user, then a token for it (the user exists before the token is used)."""
    async with ctx.db.transaction() as tx:
        user = await accounts.create_user(
            tx, project_id=project.id, login_ids=[login_id], profile=profile, test=False, now=ctx.clock.now()
        )
        intent = intents.with_management_claims(await intents.for_existing_user(tx, project, user.login_ids[0]), claims)
        _, token = await _store_token(tx, ctx, project, intent, kind=EMBEDDED, expires_in=timeout_seconds)
    return token
