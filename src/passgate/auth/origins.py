"""Web origins, and the one rule that says whether an origin is allowed.

One rule serves three checks: where a link may send the user (``auth/redirects.py``),
which pages may read passgate's answers (``web/cors.py``) and which pages may use a
refresh cookie (``web/cookies.py``). An entry names a scheme, a host and perhaps a port.
An origin matches it when scheme, host and port are equal (a port not written is the
scheme's default), except that an entry for a loopback host (``localhost``,
``127.0.0.1``, ``[::1]``) that names no port matches every port: development servers pick
their own ports (3000, 5173, 8080 …), and a page served on this machine's loopback is
this machine's. Anywhere else another port is another server, so it must be named.

``http`` is accepted only for loopback hosts: a page served over plain http elsewhere can
be rewritten on its way, and whoever rewrites it could use the user's session. Anything
ambiguous (user-info, percent-encoding or a trailing dot in the host, wildcards, a path
on an origin) is refused rather than interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from passgate.models.projects import ProjectSettings

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:.]+\]$")


class MalformedOrigin(ValueError):
    """An origin, or the origin part of a URL, that is refused; the message completes a
    sentence about it ("… has a malformed host")."""


@dataclass(frozen=True)
class Origin:
    scheme: str  # lower case: http or https
    host: str  # lower case; an IPv6 address in brackets
    port: int | None  # as written: None is the scheme's default (or, in a loopback entry, any port)

    @property
    def any_port(self) -> bool:
        """Whether this entry allows every port (a loopback host, no port written)."""
        return self.port is None and self.host in LOOPBACK_HOSTS

    @property
    def effective_port(self) -> int:
        return _DEFAULT_PORTS[self.scheme] if self.port is None else self.port


def matches(candidate: Origin, entry: Origin) -> bool:
    """The rule: whether the origin ``candidate`` (a page's, or a URL's) is allowed by the
    operator's ``entry`` (see the module docstring)."""
    if (candidate.scheme, candidate.host) != (entry.scheme, entry.host):
        return False
    return entry.any_port or candidate.effective_port == entry.effective_port


def origin_of(parts: SplitResult) -> Origin:
    """The origin of an absolute URL (as ``urlsplit`` gives it); ``MalformedOrigin`` if its
    scheme is not http(s), its host or port is malformed, or it uses http off loopback."""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise MalformedOrigin("must be an absolute http(s) URL")
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host  # urlsplit drops an IPv6 address's brackets
    if "@" in parts.netloc or "%" in parts.netloc or not _HOST.match(host):
        raise MalformedOrigin("has a malformed host")
    try:
        port = parts.port
    except ValueError as exc:
        raise MalformedOrigin("has a malformed port") from exc
    if parts.netloc.endswith(":"):
        raise MalformedOrigin("has a malformed port")
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise MalformedOrigin("may use plain http only for localhost, 127.0.0.1 or [::1]")
    return Origin(scheme=scheme, host=host, port=port)


@lru_cache(maxsize=1024)
def parse_origin(text: str) -> Origin:
    """An exact origin, ``scheme://host[:port]``, as browsers send it in ``Origin`` and as
    ``allowed_origins`` lists it: no path (not even ``/``), query, fragment, user-info or
    wildcard; ``MalformedOrigin`` otherwise (``null`` included). Cached: a deployment
    sees few origins, and every browser request names one."""
    if not text or len(text) > 300 or not text.isprintable() or any(ch in text for ch in "\\ *"):
        raise MalformedOrigin("must be scheme://host[:port]")
    parts = urlsplit(text)
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise MalformedOrigin("must be scheme://host[:port], without a path, query or fragment")
    return origin_of(parts)


def _url_origin(url: str) -> Origin:
    return origin_of(urlsplit(url))


class OriginSet:
    """Entries that allow origins (one project's, or every project's), indexed by scheme
    and host so that a lookup costs the same however many projects contribute."""

    def __init__(self, entries: Iterable[Origin]) -> None:
        by_site: dict[tuple[str, str], set[Origin]] = {}
        for entry in entries:
            by_site.setdefault((entry.scheme, entry.host), set()).add(entry)
        self._by_site = {site: tuple(found) for site, found in by_site.items()}

    @classmethod
    def union(cls, sets: Iterable[OriginSet]) -> OriginSet:
        return cls(entry for each in sets for entry in each.entries)

    @property
    def entries(self) -> tuple[Origin, ...]:
        return tuple(entry for found in self._by_site.values() for entry in found)

    def allows(self, origin: str) -> bool:
        """Whether the page origin ``origin`` (an ``Origin`` header's value) matches an
        entry; a malformed one never does."""
        try:
            candidate = parse_origin(origin)
        except MalformedOrigin:
            return False
        return any(matches(candidate, entry) for entry in self._by_site.get((candidate.scheme, candidate.host), ()))


NO_ORIGINS = OriginSet(())


def project_origins(settings: ProjectSettings) -> OriginSet:
    """The origins whose pages may call the project from a browser: ``allowed_origins``
    when it is set, else the origins of ``approved_redirect_urls`` (a page a link may land
    on is a page of the app). Computed once per distinct setting."""
    return _origin_set(settings.allowed_origins, settings.approved_redirect_urls, settings.default_redirect_url)


@lru_cache(maxsize=4096)
def _origin_set(allowed: tuple[str, ...] | None, approved: tuple[str, ...], default: str) -> OriginSet:
    if allowed is not None:
        return OriginSet(_parsed(parse_origin, allowed))
    return OriginSet(_parsed(_url_origin, (*approved, default)))


def _parsed(parse: Callable[[str], Origin], texts: Iterable[str]) -> list[Origin]:
    """The entries that parse (settings are validated when changed; anything stored
    before that and malformed allows nothing rather than failing every request)."""
    found = []
    for text in texts:
        try:
            found.append(parse(text))
        except MalformedOrigin:
            continue
    return found
