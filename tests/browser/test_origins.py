"""What a page on another origin may read: everything from an allowed origin, error bodies
and ``Retry-After`` included; nothing from an origin the project does not allow, because
the browser itself withholds the answer (passgate grants it no CORS access). And nothing
at all from off this machine: no page loads a script from a CDN."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.chromium import OTHER_HOST
from tests.browser.pages import PageServer, guarded_context
from tests.browser.projects import NewProject
from tests.browser.sdk_page import WEB_PAGE, OpenPage
from tests.support import RELAXED_LIMITS, LiveServer, unique_email

CDN_SCRIPT = "https://cdn.jsdelivr.net/npm/@descope/web-js-sdk@1.53.0/dist/index.umd.js"


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    """A project allowing its default origins (http://localhost, any port), one code a minute."""
    return new_project(rate_limits=RELAXED_LIMITS.model_copy(update={"sends_per_address": "1/minute"}))


def test_a_page_on_a_disallowed_origin_gets_no_answer(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project, host=OTHER_HOST)
    console: list[str] = []
    page.page.on("console", lambda message: console.append(message.text))
    email = unique_email("elsewhere")

    refused = page.call("otp.signUpOrIn.email", email)
    assert refused.thrown == "TypeError: Failed to fetch", refused  # no status, no body: nothing to read
    assert any("blocked by CORS policy" in line for line in console), console
    assert page.call("me").thrown == "TypeError: Failed to fetch"
    assert project.inbox.count(email) == 0  # refused at the preflight, the sign-in was never sent


def test_a_429_reaches_the_page_with_its_body_and_retry_after(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    email = unique_email("limited")
    page.call("otp.signUpOrIn.email", email).expect_ok()

    limited = page.call("otp.signUpOrIn.email", email)
    assert (limited.ok, limited.code) == (False, 429), limited
    assert limited.error["errorCode"] == "E130429"
    assert limited.error["retryAfter"] > 0  # the SDK read the exposed Retry-After header


def test_nothing_loads_from_off_the_machine(browser: Browser, test_pages: PageServer) -> None:
    """The guard every other test runs under: an off-machine request fails and is recorded."""
    with guarded_context(browser) as (context, guard):
        page = context.new_page()
        page.goto(f"{test_pages.origin()}/{WEB_PAGE}")
        outcome = page.evaluate(f"fetch('{CDN_SCRIPT}').then(() => 'loaded', (e) => e.name)")
    assert outcome == "TypeError"
    assert guard.attempts == [CDN_SCRIPT]
