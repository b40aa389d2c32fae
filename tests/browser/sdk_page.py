"""A browser tab running ``@descope/web-js-sdk`` against passgate, driven from the test.

The page (``js/www/web.html`` + ``js/src/web.js``) builds ``window.sdk`` from its query
string; ``SdkPage.call("otp.verify.email", login_id, code)`` runs that SDK method in the page
(``page.evaluate``) and returns its answer as an ``Answer``. Codes and links are read from
the server's file outbox, as a user reads their inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import BrowserContext, Page, Request

from tests.support import LiveServer

WEB_PAGE = "web.html"


def api_url(server: LiveServer) -> str:
    """passgate's base URL as the pages address it: ``localhost`` (same site as the pages)."""
    return server.base_url.replace("//127.0.0.1:", "//localhost:")


def posts_to(server: LiveServer, route: str) -> Callable[[Request], bool]:
    """A predicate for ``page.expect_request``: a POST to passgate's ``route`` (any query string)."""

    def matches(request: Request) -> bool:
        return request.method == "POST" and request.url.split("?")[0] == api_url(server) + route

    return matches


@dataclass(frozen=True)
class Answer:
    """An SDK call's result: ``{ok, code, data, error}``, or ``thrown`` if the SDK's promise
    rejected (a request the browser refused to complete, e.g. blocked by CORS)."""

    ok: bool
    code: int | None
    data: Any
    error: Any
    thrown: str | None

    def expect_ok(self) -> Any:
        """``data``, after asserting the call succeeded."""
        assert self.ok, self
        return self.data


def page_url(origin: str, server: LiveServer) -> str:
    """The test page at ``origin``, its SDK set up for ``server``'s project."""
    return f"{origin}/{WEB_PAGE}?{urlencode({'projectId': server.project_id, 'baseUrl': api_url(server)})}"


class SdkPage:
    """One tab of ``context`` on the test page; ``server`` is the passgate it signs in to."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page, self.server = page, server

    @classmethod
    def open(cls, context: BrowserContext, origin: str, server: LiveServer) -> SdkPage:
        page = context.new_page()
        page.goto(page_url(origin, server))
        return cls(page, server)

    def visit(self, url: str) -> None:
        """Load ``url`` in this tab (a link from the inbox, a reload of the page …)."""
        self.page.goto(url)

    def call(self, method: str, *args: Any) -> Answer:
        """``window.sdk.<method>(*args)`` in the page, awaited."""
        return Answer(**self.page.evaluate("([method, args]) => call(method, args)", [method, list(args)]))

    def begin(self, method: str, *args: Any) -> int:
        """Start ``window.sdk.<method>(*args)`` without waiting; ``settle`` awaits it."""
        return int(self.page.evaluate("([method, args]) => begin(method, args)", [method, list(args)]))

    def settle(self, started: int) -> Answer:
        return Answer(**self.page.evaluate("(started) => settle(started)", started))

    def storage(self) -> dict[str, str]:
        """The page origin's localStorage."""
        return dict(self.page.evaluate("() => ({...localStorage})"))

    def sign_in(self, login_id: str) -> Any:
        """OTP sign-up-or-in by email and verify with the code from the inbox; the verify's data."""
        sent_before = self.server.inbox.count(login_id)
        self.call("otp.signUpOrIn.email", login_id).expect_ok()
        code = self.server.inbox.code_for(login_id, after=sent_before)
        return self.call("otp.verify.email", login_id, code).expect_ok()


OpenPage = Callable[..., SdkPage]
"""``open_page(project, host=PAGE_HOST)``: a new tab on the test page at ``host``."""
