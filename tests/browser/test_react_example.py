"""The React example in a real browser: ``AuthProvider``, ``useSession``, ``useUser`` and the
SDK's OTP calls signing in by email code, a reload that keeps the session, and sign-out.

It runs as its README says (``npm start``) against a project with default origins: the
example's ``http://localhost:<port>`` is allowed out of the box.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.example import react_example
from tests.browser.projects import NewProject
from tests.support import LiveServer, unique_email


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    return new_project()


@pytest.fixture(scope="module")
def example(project: LiveServer) -> Iterator[str]:
    with react_example(project) as origin:
        yield origin


def sign_in(page: Page, project: LiveServer, email: str) -> None:
    """What a user does: type the address, ask for a code, type the code from the mail."""
    page.get_by_placeholder("you@example.com").fill(email)
    page.get_by_role("button", name="Send code").click()
    page.get_by_placeholder("code").fill(project.inbox.code_for(email))
    page.get_by_role("button", name="Verify").click()


def test_sign_in_by_code_then_reload_then_sign_out(context: BrowserContext, example: str, project: LiveServer) -> None:
    page = context.new_page()
    page.goto(example)
    email = unique_email("react")
    sign_in(page, project, email)
    expect(page.get_by_test_id("login-id")).to_have_text(email)  # useUser's user, from the verify answer

    page.reload()  # AuthProvider resumes the stored session (try-refresh) and shows the same user
    expect(page.get_by_test_id("login-id")).to_have_text(email)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
