"""Links in a real browser: a magic link opened from the inbox and verified by the page it
lands on, and an enchanted link whose first tab polls until another tab verifies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Response

from tests.browser.projects import NewProject
from tests.browser.sdk_page import OpenPage, posts_to
from tests.support import LiveServer, token_of, unique_email

PENDING_ROUTE = "/v1/auth/enchantedlink/pending-session"


@pytest.fixture(scope="module")
def project(new_project: NewProject) -> LiveServer:
    return new_project()  # approves http://localhost on any port as a link target by default


def test_magic_link_lands_on_the_page_that_verifies_it(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    email = unique_email("magic")
    back_here = page.page.url  # the link leads back to this page, with its token added
    page.call("magicLink.signUpOrIn.email", email, back_here).expect_ok()

    page.visit(project.inbox.links_for(email)[""])  # the user clicks the link in the mail
    signed_in = page.call("magicLink.verify", token_of(page.page.url)).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert page.storage()["DS"] == signed_in["sessionJwt"]
    assert page.call("me").expect_ok()["loginIds"] == [email]


def test_enchanted_link_polling_ends_when_another_tab_verifies(open_page: OpenPage, project: LiveServer) -> None:
    page = open_page(project)
    email = unique_email("enchanted")
    started = page.call("enchantedLink.signUpOrIn", email, page.page.url).expect_ok()
    is_poll = posts_to(project, PENDING_ROUTE)
    polls: list[int] = []  # the status of every poll, in order

    def record(response: Response) -> None:
        if is_poll(response.request):
            polls.append(response.status)

    page.page.on("response", record)
    with page.page.expect_response(lambda response: is_poll(response.request)) as first:
        waiting = page.begin("enchantedLink.waitForSession", started["pendingRef"])
    assert first.value.status == 401  # still pending: the SDK polls on

    link = project.inbox.links_for(email)[started["linkId"]]  # the one of three the page named
    other_tab = open_page(project)
    other_tab.visit(link)
    other_tab.call("enchantedLink.verify", token_of(link)).expect_ok()

    signed_in = page.settle(waiting).expect_ok()
    assert signed_in["user"]["loginIds"] == [email]
    assert page.storage()["DS"] == signed_in["sessionJwt"]
    assert polls[-1] == 200
    assert set(polls[:-1]) == {401}
