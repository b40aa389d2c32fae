"""Where a link may point: the project's approved redirect URLs.

An approved entry is an origin with an optional path prefix (``https://app.example.com``,
``https://app.example.com/auth``). A candidate matches when its origin matches the entry's
by the one origin rule (``auth/origins.py``: equal scheme, host and port; an entry for a
loopback host without a port allows any port, so development works out of the box) and
its path equals the prefix or continues it after a ``/``. ``http`` is allowed only for
loopback hosts.

Anything ambiguous is refused before matching rather than interpreted: user-info
(``a@evil.com``), backslashes, control characters or spaces, percent-encoding in the host
or of ``.``/``/``/``\\`` in the path, dot segments, a trailing dot on the host, fragments,
and any scheme but ``http``/``https`` (``javascript:``, ``data:`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from passgate.auth.origins import MalformedOrigin, Origin, matches, origin_of
from passgate.errors import RedirectNotAllowed

__all__ = ["RedirectNotAllowed", "resolve", "validate_entry", "with_query", "with_token"]

_ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)


@dataclass(frozen=True)
class _Url:
    origin: Origin
    path: str
    query: str


def _parse(url: str) -> _Url:
    if not url or len(url) > 2000 or any(ch in url for ch in "\\ \t\r\n") or not url.isprintable():
        raise RedirectNotAllowed("The redirect URL is malformed")
    parts = urlsplit(url)
    if parts.fragment:
        raise RedirectNotAllowed("The redirect URL must be an absolute http(s) URL without a fragment")
    try:
        origin = origin_of(parts)
    except MalformedOrigin as exc:
        raise RedirectNotAllowed(f"The redirect URL {exc}") from exc
    path = parts.path or "/"
    if _ENCODED_SEPARATOR.search(path) or any(segment in (".", "..") for segment in path.split("/")):
        raise RedirectNotAllowed("The redirect URL path is not canonical")
    return _Url(origin=origin, path=path, query=parts.query)


def _matches(candidate: _Url, entry: _Url) -> bool:
    if not matches(candidate.origin, entry.origin):
        return False
    prefix = entry.path.rstrip("/")
    return candidate.path == prefix or candidate.path.startswith(prefix + "/")


def validate_entry(entry: str) -> str:
    """Check an operator's approved-URL entry; returns it unchanged."""
    _parse(entry)
    return entry


def resolve(requested: str | None, *, approved: list[str], default: str) -> str:
    """The URL a link should use: ``requested`` if approved, else the project default.

    ``RedirectNotAllowed`` if the requested URL is not approved, or none was given and the
    project has no default.
    """
    url = (requested or "").strip() or default
    if not url:
        raise RedirectNotAllowed("No redirect URL given and the project has no default redirect URL")
    candidate = _parse(url)
    if not any(_matches(candidate, _parse(entry)) for entry in approved):
        raise RedirectNotAllowed("The redirect URL is not on the project's approved list")
    return url


def with_token(url: str, token: str) -> str:
    """``url`` with ``t=<token>`` added to its query."""
    return with_query(url, t=token)


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query (after ``&`` when it has one already)."""
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"
