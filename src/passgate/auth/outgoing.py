"""What every message a flow sends goes through: the project's channel checks, then the outbox.

The flow names the channel, the address, the purpose and the secret (if any); the text is
rendered later, when the dispatcher sends (``delivery/templates.py``).
"""

from __future__ import annotations

from passgate.auth import tollfraud
from passgate.auth.context import AuthContext
from passgate.delivery import outbox
from passgate.delivery.messages import OutgoingMessage
from passgate.errors import InvalidArgument
from passgate.models.delivery import Method
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions
from passgate.storage.database import Transaction


async def check_channel(ctx: AuthContext, project: Project, method: Method, to: str) -> None:
    """Refuse a send the project does not allow: a channel it has not enabled
    (``InvalidArgument``), or a phone send toll-fraud protection refuses (``auth/tollfraud.py``)."""
    if method not in project.settings.enabled_channels:
        raise InvalidArgument(f"The {method.value} channel is not enabled for this project")
    if method.is_phone:
        await tollfraud.check_phone_send(ctx, project, to)


async def enqueue(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    *,
    method: Method,
    to: str,
    purpose: str,
    login_id: str,
    options: LoginOptions,
    secret_id: str | None,
    expires_in: int = 300,
    code: str = "",
    link: str = "",
    links: tuple[tuple[str, str], ...] = (),
) -> None:
    """Queue the message in the caller's transaction, in the request's locale and template
    (else the project's locale) through the requested provider (else the project's for the
    channel). ``secret_id`` names the code or link it carries, so a stale message is dropped."""
    channel = method.value
    message = OutgoingMessage(
        channel=channel,
        to=to,
        purpose=purpose,
        code=code,
        link=link,
        links=links,
        login_id=login_id,
        project_name=project.name,
        project_id=project.id,
        locale=options.locale or project.settings.default_locale,
        template_id=options.template_id,
        template_options=options.template_options,
        provider_ids=(options.provider_id,) if options.provider_id else project.settings.providers.get(channel, ()),
        expires_in_seconds=expires_in,
    )
    await outbox.enqueue(
        tx, ctx.secrets, project_id=project.id, secret_id=secret_id, message=message, now_ms=ctx.now_ms()
    )
