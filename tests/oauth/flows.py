"""A user's social login from start to the app's code, as the tests walk it: the SDK's
start, the issuer's login page, passgate's callback (its redirect to the app not followed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.oauth.issuers import Issuer, log_in
from tests.support import DEFAULT_REDIRECT, LiveServer, mgmt_request, stored_rows

PROVIDER = "loopback"  # the name projects give the loopback issuer


def callback_of(server: LiveServer) -> str:
    return f"{server.base_url}/v1/oauth/callback"


def configure(server: LiveServer, providers: dict[str, Any]) -> None:
    answer = mgmt_request(server, "POST", "/v1/mgmt/project/settings", {"oauth_providers": providers})
    assert answer.status_code == 200, answer.text


def returned_to_app(server: LiveServer, issuer_url: str, login: str, *, provider: str = PROVIDER) -> httpx.Response:
    """Start with the SDK, log in at the issuer, and follow the issuer's redirect to
    passgate's callback: passgate's answer (a redirect to the app, not followed)."""
    started = server.client().oauth.start(provider, DEFAULT_REDIRECT)
    assert started["url"].startswith(issuer_url + "/")  # the provider's own authorization URL
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, started["url"], login, until=callback_of(server))
        return browser.get(back)


def app_code(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(DEFAULT_REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert "code" in query, f"the sign-in was refused: {location}"
    return query["code"][0]


def app_error(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert "code" not in query
    return query["err"][0]


def signed_in_through(server: LiveServer, issuer: Issuer, login: str) -> dict[str, Any]:
    code = app_code(returned_to_app(server, issuer.url, login))
    session: dict[str, Any] = server.client().oauth.exchange_token(code)
    return session


def auth_post(
    server: LiveServer,
    path: str,
    *,
    params: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    **headers: str,
) -> httpx.Response:
    """A POST to an auth route as a client that is not the SDK (the browser's paths, an
    ``Origin``), with the project's bearer and ``body`` (``{}`` when none is given)."""
    return httpx.post(
        f"{server.base_url}{path}",
        params=params,
        json=body or {},
        headers={"Authorization": f"Bearer {server.project_id}", **headers},
        timeout=30,
    )


def identity_subjects(server: LiveServer, user_id: str) -> list[str]:
    """The provider subjects stored for the user (its identities)."""
    rows = stored_rows(server, "SELECT subject FROM user_identities WHERE user_id = :u", {"u": user_id})
    return [row["subject"] for row in rows]
