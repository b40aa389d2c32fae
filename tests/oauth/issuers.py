"""Identity providers on loopback for the social-login tests: Node's ``oidc-provider`` (an
OpenID-certified provider, ``idp/server.mjs``) as a real OpenID Connect issuer, and a
user's walk through its login page with an HTTP client (the browser tests walk it in
Chromium).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from tests.browser import bundles
from tests.support import free_port, unavailable

IDP = Path(__file__).resolve().parent / "idp"
CLIENT_ID = "passgate-test-client"
CLIENT_SECRET = "a-long-client-secret-for-the-loopback-issuer"


@dataclass(frozen=True)
class Issuer:
    """A running issuer: its URL (its ``iss``) and the client passgate is registered as."""

    url: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def provider_setting(self, **extra: Any) -> dict[str, Any]:
        """The ``oauth_providers`` entry of a project that signs in through this issuer."""
        return {"issuer": self.url, "client_id": self.client_id, "client_secret": self.client_secret, **extra}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        unavailable("node not found (scripts/browser-deps installs Debian's nodejs and npm)")
    return found


@contextmanager
def oidc_issuer(redirect_uris: list[str], *, jwks: dict[str, Any] | None = None) -> Iterator[Issuer]:
    """``oidc-provider`` on a free loopback port with one confidential client (PKCE
    required, secret in the token request's body) allowed to return to ``redirect_uris``."""
    bundles.install(IDP)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = {
        "port": port,
        "issuer": url,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        ],
        **({"jwks": jwks} if jwks else {}),
    }
    process = subprocess.Popen(
        [node(), "server.mjs", json.dumps(config)],
        cwd=IDP,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        if not ready.startswith("{"):
            raise RuntimeError(f"oidc-provider did not start: {ready}{process.stderr.read() if process.stderr else ''}")
        yield Issuer(url=url)
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reaps it and closes its pipes


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)


def log_in(http: httpx.Client, authorize_url: str, login: str, *, until: str) -> httpx.URL:
    """Walk a user through the issuer's login page as a browser would (redirects followed,
    cookies kept in ``http``), signing in as ``login``; the URL the issuer finally sends the
    browser to, the first one starting with ``until`` (passgate's callback), not followed."""
    response = http.get(authorize_url)
    for _ in range(10):
        location = response.headers.get("location")
        if location is not None:
            target = httpx.URL(urljoin(str(response.url), location))
            if str(target).startswith(until):
                return target
            response = http.get(target)
            continue
        form = _FORM.search(response.text)
        if form is None:
            raise AssertionError(f"the issuer's page has no form: {response.status_code} {response.text[:500]}")
        action, inner = form.groups()
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(inner)}
        if 'name="login"' in inner:
            fields |= {"login": login, "password": "any password"}
        response = http.post(urljoin(str(response.url), html.unescape(action)), data=fields)
    raise AssertionError("the issuer never sent the browser back")
