"""The one origin rule, as redirects, CORS and the cookie check all apply it: an entry for
a loopback host without a port allows every port; anything else is exact."""

from __future__ import annotations

import pytest

from passgate.auth.origins import MalformedOrigin, OriginSet, parse_origin, project_origins
from passgate.auth.redirects import RedirectNotAllowed, resolve
from passgate.models.projects import ProjectSettings

ENTRIES = ["http://localhost", "https://localhost", "http://127.0.0.1", "http://[::1]", "http://localhost:8080"]
ENTRIES += ["https://app.example.com", "https://shop.example:8443"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        # loopback entries without a port: any port (development servers choose their own)
        ("http://localhost:5173", True),
        ("http://localhost:3000", True),
        ("http://localhost", True),
        ("https://localhost:8443", True),
        ("http://127.0.0.1:5173", True),
        ("http://[::1]:5173", True),
        # everything else: scheme, host and port exactly (default ports as written or not)
        ("https://app.example.com", True),
        ("https://app.example.com:443", True),
        ("https://app.example.com:8443", False),
        ("http://app.example.com", False),
        ("https://shop.example:8443", True),
        ("https://shop.example", False),
        ("https://APP.example.com", True),  # host names are case-insensitive
        ("https://evil.example", False),
        ("https://app.example.com.evil.example", False),
        ("http://localhost.evil.example:5173", False),
        ("http://127.0.0.2:5173", False),
        # not origins at all
        ("null", False),
        ("*", False),
        ("http://localhost:5173/", False),
        ("", False),
    ],
)
def test_the_rule(origin: str, allowed: bool) -> None:
    entries = OriginSet(parse_origin(entry) for entry in ENTRIES)
    assert entries.allows(origin) is allowed


def test_a_loopback_entry_with_a_port_is_exact() -> None:
    entries = OriginSet([parse_origin("http://localhost:8080")])
    assert entries.allows("http://localhost:8080")
    assert not entries.allows("http://localhost:5173")
    assert not entries.allows("http://localhost")


def test_redirects_follow_the_same_rule() -> None:
    approved = ["http://localhost", "http://[::1]", "https://app.example.com/auth"]
    for url in ("http://localhost:5173/cb", "http://[::1]:5173/cb", "https://app.example.com:443/auth/x"):
        assert resolve(url, approved=approved, default="") == url
    for url in ("https://app.example.com:8443/auth", "http://127.0.0.1:5173/cb"):
        with pytest.raises(RedirectNotAllowed):
            resolve(url, approved=approved, default="")


def test_a_project_allows_its_redirect_origins_unless_it_lists_its_own() -> None:
    derived = project_origins(
        ProjectSettings(
            approved_redirect_urls=("http://localhost", "https://app.example.com/auth/callback"),
            default_redirect_url="https://app.example.com/auth/callback",
        )
    )
    assert derived.allows("http://localhost:5173")
    assert derived.allows("https://app.example.com")
    assert not derived.allows("https://example.com")
    listed = project_origins(ProjectSettings(allowed_origins=("https://only.example",)))
    assert listed.allows("https://only.example")
    assert not listed.allows("http://localhost:5173")
    assert not project_origins(ProjectSettings(allowed_origins=())).allows("http://localhost:5173")


def test_a_fresh_project_allows_pages_on_localhost_only() -> None:
    fresh = project_origins(ProjectSettings())
    assert fresh.allows("http://localhost:5173")
    assert not fresh.allows("http://127.0.0.1:5173")
    assert not fresh.allows("https://app.example.com")


@pytest.mark.parametrize(
    "entry",
    [
        *("https://a.example/", "https://a.example/x", "https://*.a.example", "http://a.example"),
        *("https://a@a.example", "https://a.example:", "https://a.example:99999", "https://a%2eexample"),
        *("https://a.example.", "a.example", "https://a.example?", "https://a.example#", "ws://a.example"),
        "https:// a.example",
    ],
)
def test_entries_that_are_not_exact_origins_are_refused(entry: str) -> None:
    with pytest.raises(MalformedOrigin):
        parse_origin(entry)
