"""The rebuilt request path answers as FastAPI's did: the answers below were recorded from
the FastAPI-served app before the rebuild (``tests/fixtures/answers.json``: status, the
error body, or the keys of a success body, and the content type), request for request.

It covers what a request path decides by itself: malformed JSON, empty and non-JSON
bodies, content types, invalid UTF-8, NUL characters, path and query validation, missing
bearer, unknown project, the order of those checks, 404 and 405.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from passgate.config import Settings
from passgate.wiring import create_app
from tests.support import database_url, make_project, relaxed

MGMT = "mgmt"
AUTH = "auth"
JSON = {"content-type": "application/json"}
RECORDED: dict[str, Any] = json.loads((Path(__file__).parents[1] / "fixtures" / "answers.json").read_text())

# (name, method, path, bearer, headers, body)
CASES: list[tuple[str, str, str, str, dict[str, str], bytes | None]] = [
    ("malformed json", "POST", "/v1/auth/otp/signin/email", AUTH, JSON, b'{"loginId": '),
    ("empty body", "POST", "/v1/auth/otp/signin/email", AUTH, JSON, b""),
    ("no content type", "POST", "/v1/auth/otp/signin/email", AUTH, {}, b'{"loginId": "x@example.com"}'),
    ("text content type", "POST", "/v1/auth/otp/signin/email", AUTH, {"content-type": "text/plain"}, b"{}"),
    ("json suffix type", "POST", "/v1/auth/otp/verify/email", AUTH, {"content-type": "application/x+json"}, b"{}"),
    (
        "json with charset",
        "POST",
        "/v1/auth/otp/verify/email",
        AUTH,
        {"content-type": "application/json; charset=utf-8"},
        b'{"loginId": "a@b.co"}',
    ),
    ("not utf-8", "POST", "/v1/auth/otp/verify/email", AUTH, JSON, bytes(range(128, 256))),
    ("not an object", "POST", "/v1/auth/otp/verify/email", AUTH, JSON, b"[1, 2]"),
    ("wrong types", "POST", "/v1/auth/otp/verify/email", AUTH, JSON, b'{"loginId": 12, "code": [1]}'),
    ("nul character", "POST", "/v1/auth/otp/signin/email", AUTH, JSON, b'{"loginId": "a\\u0000@b.co"}'),
    ("unknown method", "POST", "/v1/auth/otp/signin/fax", AUTH, JSON, b'{"loginId": "a@b.co"}'),
    ("no bearer", "POST", "/v1/auth/otp/signin/email", "", JSON, b'{"loginId": "a@b.co"}'),
    ("unknown project", "POST", "/v1/auth/otp/signin/email", "Bearer P2nope", JSON, b'{"loginId": "a@b.co"}'),
    ("no bearer, bad json", "POST", "/v1/auth/otp/signin/email", "", JSON, b"{"),
    ("unknown user", "POST", "/v1/auth/otp/verify/email", AUTH, JSON, b'{"loginId": "nobody@b.co", "code": "123456"}'),
    ("refresh without token", "POST", "/v1/auth/refresh", AUTH, {}, None),
    ("me with a bad token", "GET", "/v1/auth/me", "Bearer {project}:a.b.c", {}, None),
    ("keys", "GET", "/v2/keys/{project}", "", {}, None),
    ("keys, unknown project", "GET", "/v2/keys/P2nope", "", {}, None),
    ("load user", "GET", "/v1/mgmt/user?loginId=known@example.com", MGMT, {}, None),
    ("load user, long query", "GET", "/v1/mgmt/user?loginId=" + "x" * 400, MGMT, {}, None),
    ("load user, no query", "GET", "/v1/mgmt/user", MGMT, {}, None),
    ("search", "POST", "/v2/mgmt/user/search", MGMT, JSON, b'{"limit": 5}'),
    ("search, bad limit", "POST", "/v2/mgmt/user/search", MGMT, JSON, b'{"limit": "many"}'),
    ("management without key", "POST", "/v2/mgmt/user/search", AUTH, JSON, b"{}"),
    ("health", "GET", "/healthz", "", {}, None),
    ("ready", "GET", "/readyz", "", {}, None),
    ("unknown route", "GET", "/v1/nowhere", "", {}, None),
    ("wrong verb", "GET", "/v1/auth/otp/signin/email", AUTH, {}, None),
]


class Client:
    """The app on a database with one project (cookie mode, one approved origin)."""

    def __init__(self, http: httpx.AsyncClient, project: str, key: str) -> None:
        self.http, self.project, self.key = http, project, key

    def bearer(self, kind: str) -> str:
        if kind == MGMT:
            return f"Bearer {self.project}:{self.key}"
        if kind == AUTH:
            return f"Bearer {self.project}"
        return kind.replace("{project}", self.project)


@asynccontextmanager
async def client_on(settings: Settings, project: str, key: str) -> AsyncIterator[Client]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield Client(http, project, key)


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str, str]]:
    data_dir: Path = tmp_path_factory.mktemp("request-path")
    with database_url("sqlite", data_dir) as url:
        settings = Settings(data_dir=data_dir, database_url=url, delivery="none", project_cache_seconds=0)
        created = make_project(
            settings,
            project_settings=relaxed(token_delivery="cookies", approved_redirect_urls=("https://app.example.com",)),
        )
        yield settings, created.project.id, created.management_key


def shape(response: httpx.Response) -> dict[str, Any]:
    """What was recorded of an answer: an error's whole body, a success body's keys."""
    content_type = response.headers.get("content-type", "")
    body: Any = response.json() if content_type.startswith("application/json") else response.text
    if response.status_code < 400:
        body = sorted(body) if isinstance(body, dict) else type(body).__name__
    return {
        "status": response.status_code,
        "body": body,
        "content_type": response.headers.get("content-type"),
        "retry_after": response.headers.get("retry-after"),
    }


@pytest.mark.parametrize(("name", "method", "path", "bearer", "headers", "body"), CASES, ids=[c[0] for c in CASES])
def test_answers_as_recorded(
    configured: tuple[Settings, str, str],
    name: str,
    method: str,
    path: str,
    bearer: str,
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    async def scenario() -> dict[str, Any]:
        async with client_on(*configured) as client:
            await client.http.post(
                "/v1/mgmt/user/create",
                json={"loginId": "known@example.com", "email": "known@example.com"},
                headers={"Authorization": client.bearer(MGMT)},
            )
            sent = {**headers, **({"Authorization": client.bearer(bearer)} if bearer else {})}
            path_sent = path.replace("{project}", client.project)
            return shape(await client.http.request(method, path_sent, headers=sent, content=body))

    assert asyncio.run(scenario()) == RECORDED[name]


def test_cookie_mode_verify_sets_both_cookies(configured: tuple[Settings, str, str]) -> None:
    """The cookies an endpoint sets on its ``response`` reach the answer, with their attributes."""

    async def scenario() -> httpx.Response:
        async with client_on(*configured) as client:
            mgmt = {"Authorization": client.bearer(MGMT)}
            login_id = "cookie@example.com"
            await client.http.post("/v1/mgmt/user/create/test", json={"loginId": login_id}, headers=mgmt)
            code = await client.http.post("/v1/mgmt/tests/generate/otp", json={"loginId": login_id}, headers=mgmt)
            return await client.http.post(
                "/v1/auth/otp/verify/email",
                json={"loginId": login_id, "code": code.json()["code"]},
                headers={"Authorization": client.bearer(AUTH)},
            )

    answer = asyncio.run(scenario())
    assert answer.status_code == 200
    assert answer.json()["refreshJwt"] == ""
    shapes = {}
    for header in answer.headers.get_list("set-cookie"):
        name_value, _, attributes = header.partition(";")
        shapes[name_value.split("=", 1)[0]] = attributes.strip().lower()
    assert shapes["DS"] == "httponly; max-age=600; path=/; samesite=strict; secure"
    assert shapes["DSR"].startswith("httponly; max-age=")
    assert shapes["DSR"].endswith("path=/v1/auth; samesite=strict; secure")
