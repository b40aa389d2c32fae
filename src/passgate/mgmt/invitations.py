"""Invitations: what a management create with ``invite: true`` sends the new user.

The message carries the invite URL (the request's ``inviteUrl``, else the project's
``invite_url``; either must be an approved redirect URL) and goes through the outbox, in
the transaction that creates the user: an invited user exists if and only if its
invitation was queued. By email (``sendMail``, on by default) to the user's email, else
its login ID if that is an email; by SMS (``sendSMS``, off by default) to its phone, else
its login ID if that is a phone. Left to the defaults, a user with no email but a phone
is invited by SMS. A channel asked for explicitly that the user has no address for, or an
invitation with nowhere to go, is refused. The link is the URL itself: the invited user
signs in there as any user does, and becomes ``enabled`` at that first sign-in.

Without any invite URL nothing is sent and the user is only marked invited (what every
invite did before invitations were sent), unless ``sendMail`` or ``sendSMS`` asks for a
message explicitly: that is refused. The Python SDK creates users in batch only through
``invite_batch``, so an import into a project that has not configured invitations must not
mail every user it creates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passgate.addresses import looks_like_email, looks_like_phone
from passgate.auth import outgoing, redirects
from passgate.auth.context import AuthContext
from passgate.delivery.messages import INVITE
from passgate.errors import InvalidArgument, RedirectNotAllowed
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions
from passgate.models.users import User
from passgate.storage.database import Transaction


@dataclass(frozen=True)
class Invitation:
    """How to invite (every field as the request gave it; ``None``: the default)."""

    url: str = ""
    send_mail: bool | None = None
    send_sms: bool | None = None
    options: LoginOptions = field(default_factory=LoginOptions)  # locale, template and its options


async def queue_invitation(
    tx: Transaction, ctx: AuthContext, project: Project, user: User, invitation: Invitation
) -> int:
    """Queue the invitation messages to a just-created user, in the caller's transaction;
    how many were queued (0 when both channels were turned off, or invitations are not
    configured). ``InvalidArgument`` for a channel the user has no address for, or one the
    project does not allow; ``RedirectNotAllowed`` for an unapproved invite URL, or a
    message asked for explicitly with no invite URL at all."""
    if not (invitation.url.strip() or project.settings.invite_url):
        if invitation.send_mail or invitation.send_sms:
            raise RedirectNotAllowed("No inviteUrl given and the project has no invite_url setting")
        return 0  # invitations are not configured: the user is only marked invited
    destinations = _destinations(user, invitation)
    url = redirects.resolve(
        invitation.url, approved=list(project.settings.approved_redirect_urls), default=project.settings.invite_url
    )
    for method, to in destinations:
        await outgoing.check_channel(ctx, project, method, to)
        await outgoing.enqueue(
            tx,
            ctx,
            project,
            method=method,
            to=to,
            purpose=INVITE,
            login_id=user.login_ids[0],
            options=invitation.options,
            secret_id=None,  # nothing in it expires or is used up
            link=url,
        )
    return len(destinations)


def _destinations(user: User, invitation: Invitation) -> list[tuple[Method, str]]:
    """Where the invitation goes (see the module docstring for the rules); ``InvalidArgument``
    for a channel it should go by that the user has no address for."""
    email = user.email or next((login_id for login_id in user.login_ids if looks_like_email(login_id)), "")
    phone = user.phone or next((login_id for login_id in user.login_ids if looks_like_phone(login_id)), "")
    mail, sms = invitation.send_mail, invitation.send_sms
    if mail is None and sms is None:
        wanted = [(Method.EMAIL, email)] if email or not phone else [(Method.SMS, phone)]
    else:
        # E-mail left to its default is skipped for want of an address only if SMS goes instead.
        by_mail = mail is True or (mail is None and (bool(email) or not sms))
        wanted = [(Method.EMAIL, email)] if by_mail else []
        wanted += [(Method.SMS, phone)] if sms else []
    for method, address in wanted:
        if not address:
            kind = "email address" if method is Method.EMAIL else "phone number"
            raise InvalidArgument(f"The user has no {kind} to send the invitation to")
    return wanted
