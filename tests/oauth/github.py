"""A loopback server speaking GitHub's OAuth web flow and the two API calls passgate makes
(GitHub is OAuth 2, not OpenID Connect: there is no ID token, the user is read from the
API): ``GET /login/oauth/authorize`` (the user is taken as signed in and consenting: the
test names them), ``POST /login/oauth/access_token`` (client secret and PKCE verifier
checked, as GitHub does), ``GET /api/user`` and ``GET /api/user/emails``. Discord's flow is
the same OAuth 2 web flow, its user ``GET /api/users/@me``: the server answers that too.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.oauth.loopback import Answering, serving

CLIENT_ID = "Iv1.passgatetestclient"
CLIENT_SECRET = "github-test-client-secret"


@dataclass
class GitHubUser:
    id: int
    login: str
    email: str
    verified: bool = True


@dataclass
class FakeGitHub:
    """The server's state: who is signed in at "GitHub", and the codes and tokens issued."""

    base_url: str = ""
    signed_in: GitHubUser | None = None
    users: dict[str, GitHubUser] = field(default_factory=dict)  # by login, chosen with login_hint
    codes: dict[str, tuple[dict[str, str], GitHubUser]] = field(default_factory=dict)
    tokens: dict[str, GitHubUser] = field(default_factory=dict)

    def authorize(self, query: dict[str, str]) -> str:
        """The user's consent (the user of ``login_hint``, else ``signed_in``): the URL
        GitHub sends the browser back to, with a code for that user."""
        user = self.users.get(query.get("login_hint", "")) or self.signed_in
        assert user is not None, "nobody is signed in at the loopback GitHub"
        code = secrets.token_hex(10)
        self.codes[code] = ({"redirect_uri": query["redirect_uri"], "challenge": query["code_challenge"]}, user)
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def provider_setting(self) -> dict[str, Any]:
        return {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "authorization_endpoint": f"{self.base_url}/login/oauth/authorize",
            "token_endpoint": f"{self.base_url}/login/oauth/access_token",
            "userinfo_endpoint": f"{self.base_url}/api",
        }


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()

    class Handler(Answering):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/login/oauth/authorize":
                self._authorize(query)
            elif url.path in ("/api/user", "/api/user/emails", "/api/users/@me"):
                self._api(url.path)
            else:
                self.send_json(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/login/oauth/access_token":
                self.send_json(404, {"message": "Not Found"})
                return
            issued, user = state.codes.pop(form.get("code", ""), ({}, None))
            if (
                user is None
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != issued["redirect_uri"]
                or _challenge(form.get("code_verifier", "")) != issued["challenge"]
            ):
                # GitHub answers a bad code with 200 and an error body.
                self.send_json(200, {"error": "bad_verification_code"})
                return
            token = "gho_" + secrets.token_urlsafe(24)
            state.tokens[token] = user
            self.send_json(200, {"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})

        def _authorize(self, query: dict[str, str]) -> None:
            if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
                self.send_json(400, {"error": "bad request"})
                return
            self.send_response(302)
            self.send_header("Location", state.authorize(query))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _api(self, path: str) -> None:
            user = state.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
            if user is None:
                self.send_json(401, {"message": "Bad credentials"})
            elif path == "/api/user":
                self.send_json(200, {"id": user.id, "login": user.login, "name": None, "avatar_url": ""})
            elif path == "/api/users/@me":  # Discord's user, as its API answers it
                discord = {"id": str(user.id), "username": user.login, "global_name": None, "avatar": None}
                self.send_json(200, {**discord, "email": user.email, "verified": user.verified})
            else:
                emails = [{"email": user.email, "primary": True, "verified": user.verified, "visibility": "private"}]
                self.send_json(200, emails)

    with serving(Handler) as base_url:
        state.base_url = base_url
        yield state
