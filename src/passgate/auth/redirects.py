"""Where a link may point: the project's approved redirect URLs.

An approved entry is an origin with an optional path prefix (``https://app.example.com``,
``https://app.example.com/auth``). A candidate matches when its scheme, host and port equal
the entry's and its path equals the prefix or continues it after a ``/``. ``http`` is
allowed only for loopback hosts, and an ``http://localhost`` entry without a port allows
any port (so development works out of the box).

Anything ambiguous is refused before matching rather than interpreted: user-info
(``a@evil.com``), backslashes, control characters or spaces, percent-encoding in the host
or of ``.``/``/``/``\\`` in the path, dot segments, a trailing dot on the host, fragments,
and any scheme but ``http``/``https`` (``javascript:``, ``data:`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from passgate.errors import RedirectNotAllowed

__all__ = ["RedirectNotAllowed", "resolve", "validate_entry", "with_token"]

_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}
_ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:]+\]$")


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str
    port: int | None
    path: str
    query: str


def _parse(url: str) -> _Url:
    if not url or len(url) > 2000 or any(ch in url for ch in "\\ \t\r\n") or not url.isprintable():
        raise RedirectNotAllowed("The redirect URL is malformed")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.fragment:
        raise RedirectNotAllowed("The redirect URL must be an absolute http(s) URL without a fragment")
    if "@" in parts.netloc or "%" in parts.netloc or not _HOST.match(host) or host.endswith("."):
        raise RedirectNotAllowed("The redirect URL has a malformed host")
    path = parts.path or "/"
    if _ENCODED_SEPARATOR.search(path) or any(segment in (".", "..") for segment in path.split("/")):
        raise RedirectNotAllowed("The redirect URL path is not canonical")
    try:
        port = parts.port
    except ValueError as exc:
        raise RedirectNotAllowed("The redirect URL has a malformed port") from exc
    scheme = parts.scheme.lower()
    if scheme == "http" and host not in _LOOPBACK:
        raise RedirectNotAllowed("Plain http is allowed only for localhost")
    return _Url(scheme=scheme, host=host, port=port, path=path, query=parts.query)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _matches(candidate: _Url, entry: _Url) -> bool:
    if (candidate.scheme, candidate.host) != (entry.scheme, entry.host):
        return False
    any_port = entry.port is None and entry.host in _LOOPBACK
    if not any_port and (candidate.port or _default_port(candidate.scheme)) != (
        entry.port or _default_port(entry.scheme)
    ):
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
    return f"{url}{'&' if urlsplit(url).query else '?'}t={token}"
