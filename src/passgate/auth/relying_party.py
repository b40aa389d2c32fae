"""Where a project's passkeys live: its WebAuthn relying party ID, and which pages may run
a ceremony for it.

A page may start a passkey ceremony when its origin is one of the project's allowed
origins (``allowed_origins``, the list CORS uses) and its host is the RP ID or a subdomain
of it (what browsers themselves require). The RP ID is the setting ``webauthn_rp_id``, or
else the host of the project's first allowed origin, or else the page's own host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from passgate.auth.origins import MalformedOrigin, parse_origin, project_origins
from passgate.errors import InvalidArgument
from passgate.models.projects import Project


def rp_id_for(project: Project, origin: str) -> str:
    """The RP ID of a ceremony started by a page of ``origin``; ``InvalidArgument`` if that
    page may not run one for this project."""
    try:
        host = parse_origin(origin).host
    except MalformedOrigin as exc:
        raise InvalidArgument(f"The origin {exc}") from exc
    if not project_origins(project.settings).allows(origin):
        raise InvalidArgument("The origin is not one of the project's allowed origins (allowed_origins)")
    rp_id = project.settings.webauthn_rp_id or _first_allowed_host(project) or host
    if host != rp_id and not host.endswith("." + rp_id):
        raise InvalidArgument(f"The origin's host is not the passkey RP ID {rp_id!r} nor a subdomain of it")
    return rp_id


def _first_allowed_host(project: Project) -> str:
    settings = project.settings
    candidates = (
        settings.allowed_origins
        if settings.allowed_origins is not None
        else (*settings.approved_redirect_urls, settings.default_redirect_url)
    )
    for text in candidates:
        host = _host_of(text)
        if host:
            return host
    return ""


def _host_of(text: str) -> str:
    host = (urlsplit(text).hostname or "").lower()
    return host if host and ":" not in host else ""
