"""The redirect allow-list refuses the classic open-redirect bypasses."""

from __future__ import annotations

import pytest

from passgate.auth.redirects import RedirectNotAllowed, resolve, with_token

APPROVED = ["https://app.example.com/auth", "https://www.example.org", "http://localhost"]


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com/auth",
        "https://app.example.com/auth/",
        "https://app.example.com/auth/callback?next=1",
        "https://app.example.com:443/auth/x",
        "https://www.example.org/anything",
        "HTTPS://WWW.EXAMPLE.ORG/",
        "http://localhost:3000/callback",
        "http://localhost/x",
    ],
)
def test_approved_urls_pass(url: str) -> None:
    assert resolve(url, approved=APPROVED, default="") == url


@pytest.mark.parametrize(
    "url",
    [
        "//evil.com",
        "https://evil.com/auth",
        "https://app.example.com.evil.com/auth",
        "https://app.example.com@evil.com/auth",
        "https://user:pass@app.example.com/auth",
        "https://evil.com\\@app.example.com/auth",
        "https://app.example.com\\evil.com/auth",
        "javascript:alert(1)//https://app.example.com/auth",
        "data:text/html,<script>alert(1)</script>",
        "https://app.example.com/authx",
        "https://app.example.com/auth/../admin",
        "https://app.example.com/auth/%2e%2e/admin",
        "https://app.example.com/auth%2f..%2fadmin",
        "https://app.example.com%2eevil.com/auth",
        "https://app.example.com./auth",
        "https://app.example.com:8443/auth",
        "http://app.example.com/auth",
        "http://127.0.0.1.evil.com/",
        "https://app.example.com/auth#frag",
        "https://app.example.com/auth\n.evil.com",
        "https://app.example.com/ auth",
        "ftp://app.example.com/auth",
        "https:///auth",
        "",
    ],
)
def test_bypasses_are_refused(url: str) -> None:
    with pytest.raises(RedirectNotAllowed):
        resolve(url, approved=APPROVED, default="")


def test_empty_uses_the_default_and_no_default_is_refused() -> None:
    assert resolve("", approved=APPROVED, default="https://www.example.org/in") == "https://www.example.org/in"
    assert resolve(None, approved=APPROVED, default="https://www.example.org/in") == "https://www.example.org/in"
    with pytest.raises(RedirectNotAllowed):
        resolve(None, approved=APPROVED, default="")


def test_token_is_appended_to_the_query() -> None:
    assert with_token("https://a.example/x", "T") == "https://a.example/x?t=T"
    assert with_token("https://a.example/x?a=1", "T") == "https://a.example/x?a=1&t=T"
