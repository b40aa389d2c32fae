"""Social login end to end with the official ``descope`` SDK against a real OpenID Connect
issuer on loopback (Node's oidc-provider): ``oauth.start`` → the issuer's login page →
passgate's callback → the app's redirect → ``oauth.exchange_token``; linking, sign-up, and
every refusal with nothing created."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from descope import AuthException, LoginOptions

from passgate.clock import SystemClock
from tests.oauth.flows import (
    PROVIDER,
    app_code,
    app_error,
    auth_post,
    callback_of,
    configure,
    identity_subjects,
    returned_to_app,
    signed_in_through,
)
from tests.oauth.github import FakeGitHub, GitHubUser, fake_github
from tests.oauth.issuers import Issuer, log_in, oidc_issuer
from tests.oauth.tampering import TAMPERING, signing_key, tampering_proxy
from tests.support import (
    DEFAULT_REDIRECT,
    LiveServer,
    audit_search,
    error_code,
    mgmt_request,
    refused_code,
    signed_in,
    stored_rows,
    unique_email,
)

KEY = signing_key()


@pytest.fixture(scope="module")
def issuer(server: LiveServer) -> Iterator[Issuer]:
    """The issuer (signing with ``KEY``), and the server's project signing in through it as
    ``loopback``."""
    with oidc_issuer([callback_of(server)], jwks=KEY.jwks()) as running:
        configure(server, {PROVIDER: running.provider_setting()})
        yield running


@pytest.fixture(scope="module")
def tampered(server: LiveServer, issuer: Issuer) -> Iterator[str]:
    """A provider per way of changing the ID token (``tamper-<mode>``), each exchanging its
    code through the tampering proxy."""
    token_endpoint = httpx.get(f"{issuer.url}/.well-known/openid-configuration").json()["token_endpoint"]
    with tampering_proxy(token_endpoint, KEY) as proxy:
        configure(
            server,
            {f"tamper-{mode}": issuer.provider_setting(token_endpoint=f"{proxy}/{mode}/token") for mode in TAMPERING},
        )
        yield proxy


def users_with_login_id(server: LiveServer, login_id: str) -> int:
    rows = stored_rows(server, "SELECT count(*) AS n FROM login_ids WHERE login_id = :l", {"l": login_id})
    return int(rows[0]["n"])


def test_sign_up_then_sign_in_through_an_openid_connect_issuer(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("social")
    client = server.client()
    first = signed_in_through(server, issuer, email)
    claims = client.validate_session(first["sessionToken"]["jwt"])  # keys from /v2/keys
    assert claims["amr"] == ["oauth"]
    assert first["firstSeen"] is True
    assert first["user"]["loginIds"] == [email]
    assert first["user"]["verifiedEmail"] is True
    assert first["user"]["OAuth"] == {PROVIDER: True}
    assert first["user"]["name"] == email.split("@")[0]

    again = signed_in_through(server, issuer, email)
    assert again["firstSeen"] is False
    assert again["user"]["userId"] == first["user"]["userId"]
    assert client.me(again["refreshSessionToken"]["jwt"])["OAuth"] == {PROVIDER: True}
    identities = stored_rows(
        server, "SELECT subject, tokens FROM user_identities WHERE user_id = :u", {"u": first["user"]["userId"]}
    )
    assert identities == [{"subject": email, "tokens": ""}]  # the provider's tokens are not kept


def test_custom_claims_of_the_start_reach_the_session(server: LiveServer, issuer: Issuer) -> None:
    started = server.client().oauth.start(PROVIDER, DEFAULT_REDIRECT, LoginOptions(custom_claims={"plan": "gold"}))
    with httpx.Client(timeout=30) as browser:
        answer = browser.get(log_in(browser, started["url"], unique_email("claims"), until=callback_of(server)))
    session = server.client().oauth.exchange_token(app_code(answer))
    assert server.client().validate_session(session["sessionToken"]["jwt"])["nsec"] == {"plan": "gold"}


def test_a_verified_email_links_the_existing_user(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("existing")
    existing = signed_in(server, email)  # by an emailed code: the email is verified
    linked = signed_in_through(server, issuer, email)
    assert linked["user"]["userId"] == existing["user"]["userId"]
    assert linked["firstSeen"] is False
    assert linked["user"]["OAuth"] == {PROVIDER: True}


def test_an_unverified_email_never_links_and_creates_nothing(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("victim")
    victim = signed_in(server, email)
    answer = returned_to_app(server, issuer.url, f"unverified:{email}")
    assert app_error(answer) == "E063004"
    assert users_with_login_id(server, email) == 1
    assert identity_subjects(server, victim["user"]["userId"]) == []
    assert (
        stored_rows(server, "SELECT user_id FROM user_identities WHERE subject = :s", {"s": f"unverified:{email}"})
        == []
    )


def test_an_unverified_email_of_a_new_user_is_not_its_login_id(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("unverified")
    session = server.client().oauth.exchange_token(app_code(returned_to_app(server, issuer.url, f"unverified:{email}")))
    assert session["user"]["loginIds"] == [f"{PROVIDER}-unverified:{email}"]
    assert session["user"]["email"] == email
    assert session["user"]["verifiedEmail"] is False
    assert users_with_login_id(server, email) == 0


def test_a_state_works_once(server: LiveServer, issuer: Issuer) -> None:
    started = server.client().oauth.start(PROVIDER, DEFAULT_REDIRECT)
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, started["url"], unique_email("replay"), until=callback_of(server))
        assert browser.get(back).status_code == 303
        replayed = browser.get(back)
    assert replayed.status_code == 401
    assert replayed.json()["errorCode"] == "E063003"


def test_a_tampered_state_is_refused_and_creates_nothing(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("tampered")
    started = server.client().oauth.start(PROVIDER, DEFAULT_REDIRECT)
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, started["url"], email, until=callback_of(server))
        state = back.params["state"]
        tampered = back.copy_set_param("state", state[:-1] + ("A" if state[-1] != "A" else "B"))
        answer = browser.get(tampered)
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "E063003"
    assert users_with_login_id(server, email) == 0


def test_a_code_is_exchanged_once(server: LiveServer, issuer: Issuer) -> None:
    code = app_code(returned_to_app(server, issuer.url, unique_email("twice")))
    assert server.client().oauth.exchange_token(code)["sessionToken"]["jwt"]
    with pytest.raises(AuthException) as refused:
        server.client().oauth.exchange_token(code)
    assert error_code(refused.value) == "E063002"
    assert refused.value.status_code == 401


def test_an_unknown_provider_is_refused(server: LiveServer, issuer: Issuer) -> None:
    assert refused_code(server.client().oauth.start, "nosuchprovider", DEFAULT_REDIRECT) == "E063001"


def test_an_unapproved_redirect_url_is_refused_before_the_provider_is_asked(server: LiveServer, issuer: Issuer) -> None:
    before = stored_rows(server, "SELECT count(*) AS n FROM oauth_flows")[0]["n"]
    assert refused_code(server.client().oauth.start, PROVIDER, "https://evil.example/steal") == "E011008"
    assert stored_rows(server, "SELECT count(*) AS n FROM oauth_flows")[0]["n"] == before


def test_a_start_from_a_browser_is_bound_to_that_browser(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("bound")
    params = {"provider": PROVIDER, "redirectURL": DEFAULT_REDIRECT}
    started = auth_post(server, "/v1/auth/oauth/authorize", params=params, Origin="http://localhost:3000")
    assert started.status_code == 200, started.text
    binding = started.headers["set-cookie"]
    assert all(attribute in binding for attribute in ("HttpOnly", "Secure", "SameSite=none"))
    assert "Path=/v1/oauth/callback" in binding
    with httpx.Client(timeout=30) as attacker, httpx.Client(timeout=30) as victim:
        back = log_in(attacker, started.json()["url"], email, until=callback_of(server))
        assert app_error(victim.get(back)) == "E063003"  # a link handed to another browser
    assert users_with_login_id(server, email) == 0

    again = auth_post(server, "/v1/auth/oauth/authorize", params=params, Origin="http://localhost:3000")
    name, _, value = again.headers["set-cookie"].partition(";")[0].partition("=")
    with httpx.Client(timeout=30) as browser:
        back = log_in(browser, again.json()["url"], email, until=callback_of(server))
        # As a browser sends it to a loopback origin (httpx keeps Secure cookies for https).
        assert app_code(browser.get(back, headers={"Cookie": f"{name}={value}"}))


def test_sign_up_off_refuses_a_new_identity(server: LiveServer, issuer: Issuer) -> None:
    configure(server, {"closed": issuer.provider_setting(sign_up=False)})
    email = unique_email("closed")
    answer = returned_to_app(server, issuer.url, email, provider="closed")
    assert app_error(answer) == "E062108"
    assert users_with_login_id(server, email) == 0


def test_provider_secrets_are_sealed_and_never_shown(server: LiveServer, issuer: Issuer) -> None:
    shown = mgmt_request(server, "GET", "/v1/mgmt/project/settings").json()
    assert shown["oauth_providers"][PROVIDER]["client_secret"] == "(sealed)"
    stored = stored_rows(server, "SELECT settings FROM projects WHERE id = :p", {"p": server.project_id})[0]
    assert issuer.client_secret not in stored["settings"]
    assert '"client_secret":"sealed:v1:' in stored["settings"].replace(" ", "")


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("unsigned", "algorithm 'none' is not accepted"),
        ("bad-signature", "Signature verification failed"),
        ("hs256", "algorithm 'HS256' is not accepted"),
        ("wrong-issuer", "Invalid issuer"),
        ("wrong-audience", "Audience doesn't match"),
        ("wrong-nonce", "nonce is not this sign-in's"),
        ("no-nonce", "nonce is not this sign-in's"),
        ("expired", "Signature has expired"),
    ],
)
def test_an_id_token_that_does_not_verify_is_refused_and_creates_nothing(
    server: LiveServer, issuer: Issuer, tampered: str, mode: str, reason: str
) -> None:
    email = unique_email(mode)
    answer = returned_to_app(server, issuer.url, email, provider=f"tamper-{mode}")
    assert app_error(answer) == "E063003"
    assert users_with_login_id(server, email) == 0
    refusals = [
        event["data"]
        for event in audit_search(server, actions=["oauth.callback"])
        if event["data"].get("provider") == f"tamper-{mode}"
    ]
    assert refusals, "the refusal was not audited"
    assert reason in refusals[0]["reason"]
    assert refusals[0]["errorCode"] == "E063003"


def test_the_tampering_proxy_passes_an_untouched_token(server: LiveServer, issuer: Issuer, tampered: str) -> None:
    """The control of the test above: through the proxy, unchanged, the sign-in works."""
    email = unique_email("untouched")
    code = app_code(returned_to_app(server, issuer.url, email, provider="tamper-untouched"))
    assert server.client().oauth.exchange_token(code)["user"]["loginIds"] == [email]


@pytest.fixture(scope="module")
def github(server: LiveServer) -> Iterator[FakeGitHub]:
    """The loopback GitHub, configured as the project's ``github`` (the preset, its
    endpoints pointed at loopback as for GitHub Enterprise Server)."""
    with fake_github() as running:
        configure(server, {"github": running.provider_setting()})
        yield running


def through_github(server: LiveServer, github: FakeGitHub, user: GitHubUser) -> httpx.Response:
    github.signed_in = user
    started = server.client().oauth.start("github", DEFAULT_REDIRECT)
    assert started["url"].startswith(f"{github.base_url}/login/oauth/authorize?")
    with httpx.Client(timeout=30) as browser:
        back = browser.get(started["url"]).headers["location"]
        assert back.startswith(callback_of(server))
        return browser.get(back)


def test_sign_in_with_github_reads_the_user_from_its_api(server: LiveServer, github: FakeGitHub) -> None:
    email = unique_email("octocat")
    user = GitHubUser(id=583231, login="octocat", email=email)
    session = server.client().oauth.exchange_token(app_code(through_github(server, github, user)))
    assert server.client().validate_session(session["sessionToken"]["jwt"])["amr"] == ["oauth"]
    assert session["user"]["loginIds"] == [email]
    assert session["user"]["name"] == "octocat"
    assert session["user"]["OAuth"] == {"github": True}
    assert identity_subjects(server, session["user"]["userId"]) == ["583231"]


def test_github_with_an_unverified_primary_email_does_not_link(server: LiveServer, github: FakeGitHub) -> None:
    email = unique_email("gh-victim")
    signed_in(server, email)
    answer = through_github(server, github, GitHubUser(id=9_000_001, login="mallory", email=email, verified=False))
    assert app_error(answer) == "E063004"
    assert users_with_login_id(server, email) == 1


def test_a_merge_keeps_the_absorbed_users_provider_identity(server: LiveServer, issuer: Issuer) -> None:
    from descope import DeliveryMethod

    social_email, other = unique_email("merged-social"), unique_email("merged-survivor")
    signed_in_through(server, issuer, social_email)  # a user known to the provider
    survivor = signed_in(server, other)
    client = server.client()
    client.otp.update_user_email(
        other, social_email, survivor["refreshSessionToken"]["jwt"], add_to_login_ids=True, on_merge_use_existing=False
    )
    merged = client.otp.verify_code(DeliveryMethod.EMAIL, other, server.inbox.code_for(social_email))
    assert merged["user"]["userId"] == survivor["user"]["userId"]
    assert merged["user"]["OAuth"] == {PROVIDER: True}
    again = signed_in_through(server, issuer, social_email)  # the identity followed the merge
    assert again["user"]["userId"] == survivor["user"]["userId"]


def test_provider_tokens_are_kept_only_when_the_provider_asks(server: LiveServer, issuer: Issuer) -> None:
    configure(server, {"keeper": issuer.provider_setting(store_tokens=True)})
    kept, not_kept = unique_email("keeper"), unique_email("not-kept")
    returned_to_app_and_exchanged = [
        server.client().oauth.exchange_token(app_code(returned_to_app(server, issuer.url, kept, provider="keeper"))),
        signed_in_through(server, issuer, not_kept),
    ]
    assert all(session["sessionToken"]["jwt"] for session in returned_to_app_and_exchanged)
    mgmt = server.client(management=True).mgmt
    token = mgmt.user.get_provider_token(kept, "keeper")
    assert token["provider"] == "keeper"
    assert token["providerUserId"] == kept
    assert token["accessToken"]
    assert token["expiration"] > time_now()
    assert "openid" in token["scopes"]
    stored = stored_rows(server, "SELECT tokens FROM user_identities WHERE subject = :s", {"s": kept})[0]["tokens"]
    assert token["accessToken"] not in stored  # sealed at rest
    with pytest.raises(AuthException) as refused:
        mgmt.user.get_provider_token(not_kept, PROVIDER)
    assert refused.value.status_code == 404


def time_now() -> float:
    return SystemClock().now()


def test_mfa_and_step_up_with_the_provider_as_second_factor(server: LiveServer, issuer: Issuer) -> None:
    email = unique_email("social-mfa")
    signed_in_through(server, issuer, email)  # the identity is linked once
    by_code = signed_in(server, email)  # then a session by an emailed code
    refresh = by_code["refreshSessionToken"]["jwt"]
    client = server.client()
    for options, expected in ((LoginOptions(mfa=True), ["email", "oauth", "mfa"]), (LoginOptions(stepup=True), None)):
        started = client.oauth.start(PROVIDER, DEFAULT_REDIRECT, options, refresh)
        with httpx.Client(timeout=30) as browser:
            answer = browser.get(log_in(browser, started["url"], email, until=callback_of(server)))
        session = client.oauth.exchange_token(app_code(answer))
        claims = client.validate_session(session["sessionToken"]["jwt"])
        if expected:
            assert claims["amr"] == expected
        else:
            assert claims["su"] is True


def test_a_provider_with_linking_off_never_joins_an_existing_user(server: LiveServer, issuer: Issuer) -> None:
    configure(server, {"unlinked": issuer.provider_setting(link_verified_email=False)})
    email = unique_email("no-link")
    existing = signed_in(server, email)
    assert app_error(returned_to_app(server, issuer.url, email, provider="unlinked")) == "E063004"
    assert identity_subjects(server, existing["user"]["userId"]) == []


def test_sign_in_with_discord_reads_the_user_from_its_api(server: LiveServer, github: FakeGitHub) -> None:
    """Discord's preset (OAuth 2 and ``/users/@me``), its endpoints on the loopback server."""
    configure(server, {"discord": github.provider_setting()})
    email = unique_email("discord")
    github.signed_in = GitHubUser(id=80351110224678912, login="nelly", email=email)
    started = server.client().oauth.start("discord", DEFAULT_REDIRECT)
    with httpx.Client(timeout=30) as browser:
        answer = browser.get(browser.get(started["url"]).headers["location"])
    session = server.client().oauth.exchange_token(app_code(answer))
    assert session["user"]["loginIds"] == [email]
    assert session["user"]["name"] == "nelly"
    assert session["user"]["OAuth"] == {"discord": True}
    assert identity_subjects(server, session["user"]["userId"]) == ["80351110224678912"]
