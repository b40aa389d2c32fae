"""CORS for pages on other origins (issue #14): preflights judged by the origins this
server serves, without the database; every answer to an allowed origin readable, errors
included; nothing for other origins, nor ever on management routes; public keys to all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support import (
    LiveServer,
    database_url,
    limited,
    live_server,
    make_project,
    mgmt_request,
    relaxed,
    unique_email,
    wait_until,
)
from tests.web.browser import cors_of, credentialed_for, page_call, preflight, preflight_allowed_for

APPROVED = ("http://localhost", "https://app.example.com/auth")  # the derived origins: localhost:*, app.example.com
ALLOWED = ["http://localhost:5173", "http://localhost:3000", "http://localhost", "https://app.example.com"]
REFUSED = [
    "https://evil.example",
    "http://127.0.0.1:5173",  # another host: only localhost is approved
    "https://app.example.com:8443",  # a port other than the entry's
    "http://app.example.com",  # another scheme
    "https://sub.app.example.com",
    "null",
]
SIGN_IN = "/v1/auth/otp/signup-in/email"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live passgate whose project approves redirects to localhost and app.example.com."""
    data_dir: Path = tmp_path_factory.mktemp(f"cors-{request.param}")
    settings = relaxed(approved_redirect_urls=APPROVED)
    with (
        database_url(str(request.param), data_dir) as url,
        live_server(url, data_dir, project_settings=settings) as live,
    ):
        yield live


def _without_date(response: httpx.Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    return response.status_code, tuple((k, v) for k, v in response.headers.items() if k != "date"), response.content


# --- preflights -------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ALLOWED)
def test_preflight_from_an_allowed_origin_is_204_with_exactly_the_cors_headers(site: LiveServer, origin: str) -> None:
    answer = preflight(site, SIGN_IN, origin)
    assert answer.status_code == 204
    assert answer.content == b""
    assert cors_of(answer) == preflight_allowed_for(origin)
    assert answer.headers["vary"] == "Origin"
    assert set(answer.headers) == {*preflight_allowed_for(origin), "vary", "date", "server"}


@pytest.mark.parametrize("origin", REFUSED)
def test_preflight_from_another_origin_gets_no_cors_headers(site: LiveServer, origin: str) -> None:
    answer = preflight(site, SIGN_IN, origin)
    assert answer.status_code == 403
    assert answer.json()["errorCode"] == "E011103"
    assert cors_of(answer) == {}


@pytest.mark.parametrize("origin", ["http://localhost:5173", "https://evil.example"])
def test_a_preflight_answer_says_nothing_of_the_path_or_project(site: LiveServer, origin: str) -> None:
    """The same answer for a route that exists, one that does not, and paths no route has:
    a preflight names no project, so it cannot tell whether one exists."""
    paths = [SIGN_IN, "/v1/auth/me", "/v1/auth/no-such-route", "/v3/anything", "/"]
    answers = {_without_date(preflight(site, path, origin, method)) for path in paths for method in ("GET", "POST")}
    assert len(answers) == 1


@contextmanager
def projects_table_gone(live: LiveServer) -> Iterator[None]:
    """The projects table renamed under the running server: any read of a project fails."""
    url = live.settings.resolved_database_url()
    rename = "ALTER TABLE {} RENAME TO {}"
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def run(sql: str) -> None:
            with sqlite3.connect(path) as conn:
                conn.execute(sql)
    else:
        import psycopg

        def run(sql: str) -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql.encode())

    run(rename.format("projects", "projects_away"))
    try:
        yield
    finally:
        run(rename.format("projects_away", "projects"))


@pytest.mark.parametrize("cache_seconds", [3600, 0], ids=["fresh", "stale"])
def test_a_preflight_is_answered_without_the_database(
    backend: str, tmp_path: Path, cache_seconds: float, capfd: pytest.CaptureFixture[str]
) -> None:
    """With the projects table gone a project lookup fails, yet preflights are answered as
    before. While the held origins are fresh nothing is even tried (no failed reload is
    logged); once stale, a reload is tried in the background and fails, and the answer
    still does not wait for it or change."""
    settings = relaxed(approved_redirect_urls=APPROVED)
    with (
        database_url(backend, tmp_path) as url,
        live_server(url, tmp_path, project_settings=settings, project_cache_seconds=cache_seconds) as live,
    ):
        before = _without_date(preflight(live, SIGN_IN, "http://localhost:5173"))
        with projects_table_gone(live):
            lookup = page_call(live, "POST", SIGN_IN, "http://localhost:5173", project_id="P2NoSuchProject")
            assert lookup.status_code >= 500  # a read of the projects table fails now
            assert cors_of(lookup) == credentialed_for("http://localhost:5173")  # a 5xx is readable too
            during = [_without_date(preflight(live, SIGN_IN, "http://localhost:5173")) for _ in range(5)]
            refused = preflight(live, SIGN_IN, "https://evil.example").status_code
        assert before[0] == 204
        assert during == [before] * 5
        assert refused == 403
    reloads_failed = "allowed origins not reloaded" in capfd.readouterr().out
    assert reloads_failed is (cache_seconds == 0)


# --- actual answers ---------------------------------------------------------------------------


def _answers(live: LiveServer, origin: str) -> dict[str, httpx.Response]:
    """One answer of each kind a page may meet."""
    return {
        "200": page_call(live, "POST", SIGN_IN, origin, body={"loginId": unique_email()}),
        "400 malformed JSON": httpx.post(
            live.base_url + SIGN_IN,
            content=b"{",
            headers={
                "Origin": origin,
                "Content-Type": "application/json",
                "Authorization": f"Bearer {live.project_id}",
            },
        ),
        "400 missing field": page_call(live, "POST", SIGN_IN, origin, body={}),
        "401 wrong code": page_call(
            live, "POST", "/v1/auth/otp/verify/email", origin, body={"loginId": unique_email(), "code": "123456"}
        ),
        "401 no session": page_call(live, "GET", "/v1/auth/me", origin),
        "401 no bearer": httpx.post(live.base_url + SIGN_IN, json={}, headers={"Origin": origin}),
        "404": page_call(live, "POST", "/v1/auth/no-such-route", origin),
        "405": page_call(live, "GET", SIGN_IN, origin),
        "413": page_call(live, "POST", SIGN_IN, origin, body={"loginId": "x" * 70_000}),
    }


@pytest.mark.parametrize("origin", ["http://localhost:5173", "https://app.example.com"])
def test_every_answer_to_an_allowed_origin_is_readable(site: LiveServer, origin: str) -> None:
    for kind, answer in _answers(site, origin).items():
        assert str(answer.status_code) == kind[:3], (kind, answer.text)
        assert answer.json()["errorCode" if answer.status_code >= 400 else "maskedEmail"], kind  # JSON, always
        assert cors_of(answer) == credentialed_for(origin), kind
        assert answer.headers["vary"] == "Origin", kind


@pytest.mark.parametrize("origin", REFUSED)
def test_answers_to_another_origin_carry_no_cors_headers(site: LiveServer, origin: str) -> None:
    for kind, answer in _answers(site, origin).items():
        assert str(answer.status_code) == kind[:3], (kind, answer.text)
        assert cors_of(answer) == {}, kind


def test_a_429_exposes_its_retry_after(tmp_path: Path) -> None:
    settings = limited(requests_per_ip="1/minute").model_copy(update={"approved_redirect_urls": APPROVED})
    with database_url("sqlite", tmp_path) as url, live_server(url, tmp_path, project_settings=settings) as live:
        page_call(live, "POST", SIGN_IN, "http://localhost:5173", body={"loginId": unique_email()})
        limited_answer = page_call(live, "POST", SIGN_IN, "http://localhost:5173", body={"loginId": unique_email()})
    assert limited_answer.status_code == 429
    assert int(limited_answer.headers["retry-after"]) >= 1
    assert cors_of(limited_answer) == credentialed_for("http://localhost:5173")
    assert "Retry-After" in limited_answer.headers["access-control-expose-headers"].split(", ")


def test_requests_without_an_origin_get_no_cors_headers(site: LiveServer) -> None:
    """Server SDKs send no ``Origin``: nothing is added to their answers."""
    answer = httpx.post(
        site.base_url + SIGN_IN,
        json={"loginId": unique_email()},
        headers={"Authorization": f"Bearer {site.project_id}"},
    )
    assert answer.status_code == 200
    assert cors_of(answer) == {}
    assert "vary" not in answer.headers


def test_an_answer_is_judged_by_the_project_the_bearer_names(site: LiveServer) -> None:
    """Another project's origin passes the preflight (which names no project) but cannot
    read this project's answers; it reads its own project's; an unknown project's answer
    is readable by nobody (as if it allowed nothing), a bearer-less one by any origin
    some project allows."""
    other = make_project(
        site.settings, name="other", project_settings=relaxed(allowed_origins=("https://other.example",))
    )
    wait_until(lambda: preflight(site, SIGN_IN, "https://other.example").status_code == 204)  # next reload
    body = {"loginId": unique_email()}
    mine = page_call(site, "POST", SIGN_IN, "https://other.example", body=body)
    theirs = page_call(site, "POST", SIGN_IN, "https://other.example", body=body, project_id=other.project.id)
    unknown = page_call(
        site, "POST", SIGN_IN, "https://other.example", body=body, project_id="P2NoSuchProject0000000000000"
    )
    no_bearer = httpx.post(site.base_url + SIGN_IN, json=body, headers={"Origin": "https://other.example"})
    assert (mine.status_code, theirs.status_code, unknown.status_code, no_bearer.status_code) == (200, 200, 401, 401)
    assert cors_of(mine) == {}
    assert cors_of(theirs) == credentialed_for("https://other.example")
    assert cors_of(unknown) == {}
    assert cors_of(no_bearer) == credentialed_for("https://other.example")


# --- management and public keys ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/mgmt/user/create", "/v1/mgmt/project/settings", "/v1/mgmt/no-such-route"])
def test_management_routes_never_answer_cors(site: LiveServer, path: str) -> None:
    answer = preflight(site, path, "http://localhost:5173")
    assert answer.status_code == 403
    assert answer.json()["errorCode"] == "E011103"
    assert cors_of(answer) == {}
    assert "vary" not in answer.headers  # the same refusal for every origin
    headers = {"Origin": "http://localhost:5173", "Authorization": f"Bearer {site.project_id}:{site.management_key}"}
    created = httpx.post(site.base_url + "/v1/mgmt/user/create", json={"loginId": unique_email()}, headers=headers)
    loaded = httpx.get(site.base_url + "/v1/mgmt/project/settings", headers=headers)
    assert (created.status_code, loaded.status_code) == (200, 200)
    assert cors_of(created) == cors_of(loaded) == {}


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:5173"])
def test_public_keys_are_readable_by_any_origin_without_credentials(site: LiveServer, origin: str) -> None:
    keys = httpx.get(f"{site.base_url}/v2/keys/{site.project_id}", headers={"Origin": origin})
    assert keys.status_code == 200
    assert keys.json()["keys"]
    assert cors_of(keys) == {"access-control-allow-origin": "*"}
    answer = preflight(site, f"/v2/keys/{site.project_id}", origin, "GET")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers


# --- the setting ------------------------------------------------------------------------------


def test_allowed_origins_replace_the_redirect_origins_at_once(site: LiveServer) -> None:
    """Set through the management API, they judge the very next preflight and call (this
    process put them in its union at once); ``null`` brings the default back."""
    change = mgmt_request(site, "POST", "/v1/mgmt/project/settings", {"allowed_origins": ["https://shop.example:8443"]})
    assert change.status_code == 200, change.text
    try:
        assert preflight(site, SIGN_IN, "https://shop.example:8443").status_code == 204
        assert preflight(site, SIGN_IN, "http://localhost:5173").status_code == 403  # no longer derived
        answer = page_call(site, "POST", SIGN_IN, "https://shop.example:8443", body={"loginId": unique_email()})
        assert cors_of(answer) == credentialed_for("https://shop.example:8443")
    finally:
        reset = mgmt_request(site, "POST", "/v1/mgmt/project/settings", {"allowed_origins": None})
        assert reset.json()["allowed_origins"] is None
    assert preflight(site, SIGN_IN, "http://localhost:5173").status_code == 204
    assert preflight(site, SIGN_IN, "https://shop.example:8443").status_code == 403


@pytest.mark.parametrize(
    "entry",
    [
        "*",
        "https://*.example.com",
        "https://app.example.com/",
        "https://app.example.com/path",
        "https://app.example.com?x=1",
        "https://app.example.com#top",
        "http://app.example.com",  # plain http off loopback
        "ftp://app.example.com",
        "app.example.com",
        "https://user@app.example.com",
        "https://app.example.com:99999",
        "null",
        "",
    ],
)
def test_allowed_origins_must_be_exact_origins(site: LiveServer, entry: str) -> None:
    answer = mgmt_request(site, "POST", "/v1/mgmt/project/settings", {"allowed_origins": ["https://ok.example", entry]})
    assert answer.status_code == 400
    body = answer.json()
    assert body["errorCode"] == "E011004"
    assert body["errorMessage"].startswith("Invalid value for allowed_origins: ")
    assert set(body) == {"errorCode", "errorDescription", "errorMessage", "message"}
    assert mgmt_request(site, "GET", "/v1/mgmt/project/settings").json()["allowed_origins"] is None  # nothing changed


def test_allowed_origins_must_be_a_list(site: LiveServer) -> None:
    answer = mgmt_request(site, "POST", "/v1/mgmt/project/settings", {"allowed_origins": "https://ok.example"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "E011003"
    assert "allowed_origins" in answer.json()["errorMessage"]
