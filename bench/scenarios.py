"""The measured paths against one running server, and the unmeasured set-up they need.

Set-up goes through the same HTTP API and the same wrk script (a Python client would be
slower than the server): management creates users (with a password hash made once by the
bench, for password sign-in) and issues test codes, and verifying codes yields the sessions
that refresh, ``me`` and the local session check use. Start and verify get new users or
codes for every phase, refresh new sessions. ``Phases`` is what any server's driver shares
(the peer's is in ``peer.py``); ``Driver`` is passgate's.
"""

from __future__ import annotations

import functools
import json
import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import argon2
import httpx
import pyotp
from cpu import DISTURBED_PCT, Snapshot, shares, wait_idle, wait_quiet
from loadgen import Request, run_wrk, write_requests
from preload import login_id
from proctree import tree_memory
from target import Server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: its software authenticator
from tests.authenticator import Authenticator
from tests.oauth.github import FakeGitHub, GitHubUser, fake_github

PASSKEY_ORIGIN = "http://localhost:3000"  # a page origin every new project allows

CONCURRENCY = (1, 32)
SETUP_CONNECTIONS = 32
SEARCH_PAGE_SIZE = 100
SEARCH_PAGES = 10  # the page listing cycles over the first pages
SEARCH_TEXTS = 1000  # distinct text filters (one preloaded user each) the text search cycles over
CREATE_BATCH = 100  # users per ``/v1/mgmt/user/create/batch`` request of the set-up
OAUTH_APP = "http://localhost:3000/callback"  # where the bench's social sign-ins return (approved by default)
BENCH_PASSWORD = "bench-password-correct-horse"  # every password user's (>= 8 characters, not a common one)


class Target(Protocol):
    """A running server as the phases see it."""

    @property
    def base_url(self) -> str: ...

    @property
    def pid(self) -> int: ...

    @property
    def database(self) -> str | None: ...


@dataclass(frozen=True)
class Sizes:
    """How long and how big: ``FULL`` for the README, ``QUICK`` to prove the bench works."""

    seconds: int  # each measured phase
    warm_seconds: int  # each unmeasured warm-up phase (0: none)
    sessions: int  # signed-in sessions per refresh phase (and codes in the warm-up verify)
    max_batch: int  # cap on the distinct users (OTP start) or codes (verify) of one phase
    check_seconds: float  # each local session-check method
    check_max_ops: int  # cap on operations per local session-check method
    quiet_max_s: float  # longest wait for a quiet machine before a phase
    drain_max_s: float  # longest wait for the server to finish its leftover work (the outbox) after a phase
    attempts: int  # tries per phase while other programs disturb it
    disturbed_wait_s: float  # longest wait for a quiet machine after a disturbed try
    retry_budget_s: float  # time the whole run may spend on repeating disturbed phases


FULL = Sizes(
    seconds=5,
    warm_seconds=1,
    sessions=256,
    max_batch=20_000,
    check_seconds=1,
    check_max_ops=100_000,
    quiet_max_s=3,
    drain_max_s=60,
    attempts=3,
    disturbed_wait_s=30,
    retry_budget_s=120,
)
QUICK = Sizes(
    seconds=1,
    warm_seconds=0,
    sessions=32,
    max_batch=400,
    check_seconds=0.3,
    check_max_ops=2000,
    quiet_max_s=0,
    drain_max_s=2,
    attempts=1,
    disturbed_wait_s=0,
    retry_budget_s=0,
)


@dataclass
class RetryBudget:
    """Seconds the whole run may spend on repeating disturbed phases (shared by every server)."""

    seconds: float


class SetupFailed(RuntimeError):
    """An unmeasured set-up pass got an error answer."""


class Phases:
    """Prepares request files for one server and measures phases on it (any server)."""

    chain: tuple[str, str] = ("", "")  # chain mode: the answer's field and the Authorization prefix

    def __init__(self, target: Target, workdir: Path, sizes: Sizes, retry_budget: RetryBudget) -> None:
        self.target = target
        self.retry_budget = retry_budget
        self.workdir = workdir
        self.sizes = sizes
        self.batches = 0
        self.rates: dict[str, float] = {}  # the best req/s seen so far per path: sizes the next batch

    # ------------------------------------------------------------------ set-up (unmeasured)

    def replay_lines(self, name: str, requests: list[Request], header: str = "") -> tuple[dict[str, Any], list[str]]:
        """Send ``requests`` once each at c=32; wrk's result and each answer's body (or its
        ``header``) as a line. Any error answer fails the run."""
        path, count = self.request_file(name, requests), len(requests)
        responses = path.with_suffix(".out")
        cap = 10 + math.ceil(count / 50)  # seconds, at 50 requests/s or more
        result = run_wrk(
            self.target.base_url,
            path,
            mode="once",
            connections=SETUP_CONNECTIONS,
            seconds=cap,
            responses=responses,
            responses_header=header,
        )
        if result["errors"] or result["requests"] != count:
            raise SetupFailed(f"{name}: {result['requests']}/{count} answered, {result}")
        return result, [line for line in responses.read_text().splitlines() if line]

    def replay_once(self, name: str, requests: list[Request]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Send ``requests`` once each at c=32; wrk's result and the JSON answers."""
        result, lines = self.replay_lines(name, requests)
        return result, [json.loads(line) for line in lines]

    def setup_pass(self, name: str, requests: list[Request]) -> list[dict[str, Any]]:
        """Send ``requests`` once each; their JSON answers. Any error answer fails the run."""
        return self.replay_once(name, requests)[1]

    def request_file(self, name: str, requests: list[Request]) -> Path:
        """Write ``requests`` to ``<workdir>/<name>.tsv``; the file."""
        path = self.workdir / f"{name}.tsv"
        write_requests(path, requests)
        return path

    def note_rate(self, path_name: str, rps: float) -> None:
        """Remember the best rate of ``path_name`` so far."""
        self.rates[path_name] = max(self.rates.get(path_name, 0.0), rps)

    def batch_size(self, path_name: str) -> int:
        """Requests for one once-only phase: a quarter more than ``seconds`` at the best rate seen
        so far needs (100 req/s if none yet), so that time, not requests, ends it."""
        needed = self.rates.get(path_name, 100.0) * self.sizes.seconds * 1.25
        return min(self.sizes.max_batch, max(20, math.ceil(needed)))

    # ------------------------------------------------------------------ phases

    def warm(self, path_name: str, requests: Path, mode: str) -> None:
        """An unmeasured phase at c=32 (caches, pages, code paths); its rate sizes the next batch."""
        if self.sizes.warm_seconds:
            result = self.run(requests, mode=mode, connections=32, seconds=self.sizes.warm_seconds)
            self.note_rate(path_name, result["rps"])

    def run(self, requests: Path, *, mode: str, connections: int, seconds: int) -> dict[str, Any]:
        """``run_wrk`` against this server."""
        return run_wrk(
            self.target.base_url, requests, mode=mode, connections=connections, seconds=seconds, chain=self.chain
        )

    def measure(self, path_name: str, requests: Path, *, mode: str, connections: int) -> dict[str, Any]:
        """One measured phase on a quiet machine: wrk's result, where the CPU went, the server's
        memory right after the load, and the server's CPU per request including the work it
        still did after the phase (the outbox)."""
        quiet_after = wait_quiet(max_seconds=self.sizes.quiet_max_s)
        before = self.snapshot()
        result = self.run(requests, mode=mode, connections=connections, seconds=self.sizes.seconds)
        during = self.snapshot()
        memory = tree_memory(self.target.pid)
        drained_after = wait_idle(self.target.pid, max_seconds=self.sizes.drain_max_s)
        after = self.snapshot()
        result.update(shares(before, during))
        result.update(
            path=path_name,
            connections=connections,
            waited_for_quiet_s=quiet_after,
            drain_s=drained_after,
            drain_server_cpu_s=round(after.server - during.server, 2),
            server_ms_per_request=1000 * (after.server - before.server) / max(result["requests"], 1),
            rss_mib=memory["rss_mib"],
            worker_rss_mib=memory["worker_rss_mib"],
        )
        if mode == "once":
            result["unused_requests"] = len(requests.read_text().splitlines()) - result["requests"]
            self.note_rate(path_name, result["rps"])
        progress(result)
        return result

    def snapshot(self) -> Snapshot:
        """CPU counters of the server, the bench, its PostgreSQL database and the machine."""
        return Snapshot.take(self.target.pid, self.target.database)

    def measure_each_concurrency(
        self, path_name: str, file_for: Callable[[int], Path], mode: str
    ) -> list[dict[str, Any]]:
        """``measure_undisturbed`` at every concurrency; ``file_for(c)`` makes its request file."""
        return [self.measure_undisturbed(path_name, file_for, mode=mode, connections=c) for c in CONCURRENCY]

    def measure_undisturbed(
        self, path_name: str, file_for: Callable[[int], Path], *, mode: str, connections: int
    ) -> dict[str, Any]:
        """``measure``, repeated while other work on the machine took more than ``DISTURBED_PCT``
        of a core, once the machine is quiet again (up to ``attempts`` tries in all, within the
        run's retry budget); the least disturbed try, with the others' figures in
        ``disturbed_attempts``."""
        tries = [self.measure(path_name, file_for(connections), mode=mode, connections=connections)]
        while (
            tries[-1]["other_cpu_pct"] > DISTURBED_PCT
            and len(tries) < self.sizes.attempts
            and self.retry_budget.seconds > 0
        ):
            began = time.monotonic()
            limit = min(self.sizes.disturbed_wait_s, self.retry_budget.seconds)
            quiet = wait_quiet(max_seconds=limit) < limit
            if quiet:  # measuring again on a machine that is still busy would not help
                tries.append(self.measure(path_name, file_for(connections), mode=mode, connections=connections))
            self.retry_budget.seconds -= time.monotonic() - began
            if not quiet:
                break
        best = min(tries, key=lambda result: result["other_cpu_pct"])
        best["disturbed_attempts"] = [
            {key: result[key] for key in ("rps", "other_cpu_pct", "errors")} for result in tries if result is not best
        ]
        return best


class Driver(Phases):
    """passgate's paths: set-up through its management API, phases on its auth API."""

    def __init__(self, server: Server, workdir: Path, sizes: Sizes, retry_budget: RetryBudget, users: int) -> None:
        super().__init__(server, workdir, sizes, retry_budget)
        self.server = server
        self.users = users  # preloaded users ``preload.login_id("user", i)``, i < users
        project = server.project
        self.auth = f"Bearer {project.project_id}"
        self.mgmt = f"Bearer {project.project_id}:{project.management_key}"
        self.chain = ("refreshJwt", f"Bearer {project.project_id}:")  # how a refresh answer feeds the next
        self.passkey_users: list[tuple[str, Authenticator]] = []  # signed up with a passkey, reused by every phase
        self.github: FakeGitHub | None = None  # the loopback GitHub of the oauth path, once started
        self.closing = ExitStack()  # what the driver started (the loopback GitHub), closed by ``close``

    def close(self) -> None:
        self.closing.close()

    # ------------------------------------------------------------------ set-up (unmeasured)

    def create_users(self, prefix: str, count: int, *, test: bool) -> list[str]:
        """Create ``count`` users with e-mail login IDs through management; their login IDs."""
        login_ids = [f"{prefix}{i}@example.com" for i in range(count)]
        route = "/v1/mgmt/user/create/test" if test else "/v1/mgmt/user/create"
        self.setup_pass(
            f"create-{prefix}",
            [Request("POST", route, self.mgmt, {"loginId": lid, "email": lid}) for lid in login_ids],
        )
        return login_ids

    def issue_codes(self, prefix: str, count: int) -> list[dict[str, str]]:
        """``count`` new test users, each with one pending code: ``{"loginId", "code"}``."""
        login_ids = self.create_users(prefix, count, test=True)
        body = [{"loginId": lid, "deliveryMethod": "email"} for lid in login_ids]
        answers = self.setup_pass(
            f"codes-{prefix}", [Request("POST", "/v1/mgmt/tests/generate/otp", self.mgmt, b) for b in body]
        )
        return [{"loginId": answer["loginId"], "code": answer["code"]} for answer in answers]

    def verify_requests(self, codes: list[dict[str, str]]) -> list[Request]:
        """One verify request per code."""
        return [Request("POST", "/v1/auth/otp/verify/email", self.auth, code) for code in codes]

    def sign_in(self, prefix: str, count: int) -> list[dict[str, Any]]:
        """``count`` signed-in sessions (verify answers). This is also the verify warm-up; its
        rate sizes the first measured verify phase."""
        result, answers = self.replay_once(f"verify-{prefix}", self.verify_requests(self.issue_codes(prefix, count)))
        self.note_rate("otp verify", result["rps"])
        return answers

    def start_file(self, _connections: int = 0, count: int | None = None) -> Path:
        """OTP sign-in start, once for each of new existing (non-test) users, as a first sign-in
        is: the message queued then is one the dispatcher must really render and hand over."""
        self.batches += 1
        prefix = f"start{self.batches}-"
        login_ids = self.create_users(prefix, count or self.batch_size("otp start"), test=False)
        body = [{"loginId": lid} for lid in login_ids]
        return self.request_file(prefix, [Request("POST", "/v1/auth/otp/signin/email", self.auth, b) for b in body])

    def refresh_file(self) -> Path:
        """Refresh requests for fresh sessions: one each, replayed in ``chain`` mode, so each
        refresh JWT is presented once and its successor next (with or without rotation)."""
        self.batches += 1
        sessions = self.sign_in(f"refresh{self.batches}-", self.sizes.sessions)
        bearer = self.chain[1]
        return self.request_file(
            f"refresh-{self.batches}",
            [Request("POST", "/v1/auth/refresh", bearer + s["refreshJwt"], {}) for s in sessions],
        )

    def totp_file(self, _connections: int = 0) -> Path:
        """TOTP verify, once for each of new users whose authenticator app came with them
        (``seed`` on batch create), with the code of the current time step: a code works once
        per user, and a code stays valid for a step either side, longer than a phase waits."""
        self.batches += 1
        prefix = f"totp{self.batches}-"
        seeds = {f"{prefix}{i}@example.com": pyotp.random_base32() for i in range(self.batch_size("totp verify"))}
        users = [{"loginId": lid, "email": lid, "seed": seed} for lid, seed in seeds.items()]
        batches = [users[i : i + CREATE_BATCH] for i in range(0, len(users), CREATE_BATCH)]
        route = "/v1/mgmt/user/create/batch"
        self.setup_pass(f"create-{prefix}", [Request("POST", route, self.mgmt, {"users": b}) for b in batches])
        body = [{"loginId": lid, "code": pyotp.TOTP(seed).now(), "loginOptions": {}} for lid, seed in seeds.items()]
        return self.request_file(prefix, [Request("POST", "/v1/auth/totp/verify", self.auth, b) for b in body])

    def passkey_file(self, _connections: int = 0) -> Path:
        """Passkey sign-in finish, once for each of users signed up with a passkey (a software
        authenticator each, ES256): the sign-in starts are made beforehand, the assertions
        signed by the bench, so the phase measures the finish alone (ceremony claimed once,
        signature and counter checked, counter advanced, session row, JWTs signed)."""
        self.batches += 1
        count = self.batch_size("passkey signin")
        self.register_passkeys(count)
        users = self.passkey_users[:count]
        body = [{"loginId": login_id, "origin": PASSKEY_ORIGIN, "loginOptions": {}} for login_id, _ in users]
        starts = self.setup_pass(
            f"passkey-start{self.batches}",
            [Request("POST", "/v1/auth/webauthn/signin/start", self.auth, b) for b in body],
        )
        # wrk's answers come in the order they arrive: each is matched by the credential it allows.
        holders = {authenticator.credentials[0].id_text: authenticator for _, authenticator in users}
        finishes = [
            {"transactionId": started["transactionId"], "response": holders[_allowed(started)].sign(started["options"])}
            for started in starts
        ]
        route = "/v1/auth/webauthn/signin/finish"
        return self.request_file(f"passkey{self.batches}", [Request("POST", route, self.auth, b) for b in finishes])

    def register_passkeys(self, count: int) -> None:
        """Sign up users with a passkey until there are ``count`` (through start and finish)."""
        first = len(self.passkey_users)
        if first >= count:
            return
        login_ids = [f"passkey{i}@example.com" for i in range(first, count)]
        body = [{"user": {"loginId": lid}, "origin": PASSKEY_ORIGIN} for lid in login_ids]
        starts = self.setup_pass(
            f"passkey-signup{first}", [Request("POST", "/v1/auth/webauthn/signup/start", self.auth, b) for b in body]
        )
        authenticators = {lid: Authenticator(PASSKEY_ORIGIN) for lid in login_ids}
        finishes = [  # matched by the user the options name (answers come in arrival order)
            {
                "transactionId": started["transactionId"],
                "response": authenticators[_user_named(started)].register(started["options"]),
            }
            for started in starts
        ]
        route = "/v1/auth/webauthn/signup/finish"
        self.setup_pass(f"passkey-signed-up{first}", [Request("POST", route, self.auth, b) for b in finishes])
        self.passkey_users += list(authenticators.items())

    def password_file(self) -> Path:
        """Password sign-in of users created with a password, round robin over them: each
        gets the same argon2id hash (``bench_password_hash``, the server's parameters, so no
        sign-in rehashes it) as ``hashedPassword`` on batch create, so the set-up hashes
        nothing. At least twice as many users as connections: each sign-in in flight holds a
        failure reserved against its login ID, whose back-off begins at five held at once."""
        count = max(self.sizes.sessions, 2 * max(CONCURRENCY))
        hashed = {"argon2": {"hash": bench_password_hash()}}
        login_ids = [f"password{i}@example.com" for i in range(count)]
        users = [{"loginId": lid, "email": lid, "hashedPassword": hashed} for lid in login_ids]
        batches = [users[i : i + CREATE_BATCH] for i in range(0, len(users), CREATE_BATCH)]
        route = "/v1/mgmt/user/create/batch"
        self.setup_pass("create-password", [Request("POST", route, self.mgmt, {"users": b}) for b in batches])
        body = [{"loginId": lid, "password": BENCH_PASSWORD, "loginOptions": {}} for lid in login_ids]
        return self.request_file("password", [Request("POST", "/v1/auth/password/signin", self.auth, b) for b in body])

    def oauth_file(self, _connections: int = 0) -> Path:
        """Social-login code exchange, once for each of fresh codes. Each code is made by a
        whole sign-in before the phase: the start through the API (batched with wrk), the
        loopback GitHub's consent in-process, passgate's callback (which exchanges GitHub's
        code and reads its user API) from a thread pool; the phase measures the exchange
        alone (the flow found by its code's keyed hash and advanced once, the user loaded,
        the session opened, both JWTs signed). GitHub users are a pool of 64, each signed in
        again and again, as returning users are."""
        github = self.loopback_github()
        count = self.batch_size("oauth exchange")
        self.batches += 1
        starts = [
            Request(
                "POST",
                f"/v1/auth/oauth/authorize?provider=github&redirectURL={OAUTH_APP}&loginHint=gh{i % 64}",
                self.auth,
                {},
            )
            for i in range(count)
        ]
        urls = [answer["url"] for answer in self.setup_pass(f"oauth-start{self.batches}", starts)]
        callbacks = [github.authorize(dict(parse_qsl(urlsplit(url).query))) for url in urls]
        codes = self.returned_codes(callbacks)
        body = [{"code": code} for code in codes]
        route = "/v1/auth/oauth/exchange"
        return self.request_file(f"oauth{self.batches}", [Request("POST", route, self.auth, b) for b in body])

    def loopback_github(self) -> FakeGitHub:
        """The loopback GitHub (started once, in this process) as the project's ``github``."""
        if self.github is None:
            self.github = self.closing.enter_context(fake_github())
            self.github.users = {
                f"gh{i}": GitHubUser(id=10_000 + i, login=f"gh{i}", email=f"gh{i}@example.com") for i in range(64)
            }
            settings = {"oauth_providers": {"github": self.github.provider_setting()}}
            self.setup_pass("oauth-settings", [Request("POST", "/v1/mgmt/project/settings", self.mgmt, settings)])
        return self.github

    def returned_codes(self, callbacks: list[str]) -> list[str]:
        """Follow each provider return to passgate's callback; the app's one-time codes."""

        def follow(client: httpx.Client, url: str) -> str:
            answer = client.get(url)
            if answer.status_code != 303 or "code=" not in answer.headers.get("location", ""):
                raise SetupFailed(f"oauth callback: {answer.status_code} {answer.headers.get('location')}")
            return dict(parse_qsl(urlsplit(answer.headers["location"]).query))["code"]

        with httpx.Client(base_url=self.target.base_url, timeout=30) as client, ThreadPoolExecutor(16) as pool:
            return list(
                pool.map(lambda url: follow(client, urlsplit(url)._replace(scheme="", netloc="").geturl()), callbacks)
            )

    def healthz_file(self) -> Path:
        """The framework's ceiling: ``GET /healthz``, no database, no crypto."""
        return self.request_file("healthz", [Request("GET", "/healthz")])

    def verify_file(self, _connections: int = 0) -> Path:
        """Verify requests for fresh codes, one each (a code works once)."""
        self.batches += 1
        codes = self.issue_codes(f"verify{self.batches}-", self.batch_size("otp verify"))
        return self.request_file(f"verify-{self.batches}", self.verify_requests(codes))

    def me_file(self, sessions: list[dict[str, Any]]) -> Path:
        """``GET /v1/auth/me`` of each signed-in session in turn (bearer: its refresh JWT)."""
        bearer = self.chain[1]
        return self.request_file("me", [Request("GET", "/v1/auth/me", bearer + s["refreshJwt"]) for s in sessions])

    def jwks_file(self) -> Path:
        """The project's public keys, ``GET /v2/keys/<projectId>`` (no authentication)."""
        return self.request_file("jwks", [Request("GET", f"/v2/keys/{self.server.project.project_id}")])

    def search_page_file(self) -> Path:
        """Management search without a filter: the first pages of ``SEARCH_PAGE_SIZE`` users in turn."""
        pages = max(1, min(SEARCH_PAGES, self.users // SEARCH_PAGE_SIZE))
        bodies = [{"limit": SEARCH_PAGE_SIZE, "page": page} for page in range(pages)]
        return self.request_file("search-page", [Request("POST", "/v2/mgmt/user/search", self.mgmt, b) for b in bodies])

    def search_text_file(self) -> Path:
        """Management search by a text filter matching one preloaded user each (``user<i>@``),
        spread over the whole table."""
        count = max(1, min(SEARCH_TEXTS, self.users))
        step = max(1, self.users // count)
        texts = [login_id("user", i * step).split("@")[0] + "@" for i in range(count)]
        body = [{"text": text, "limit": SEARCH_PAGE_SIZE, "page": 0} for text in texts]
        return self.request_file("search-text", [Request("POST", "/v2/mgmt/user/search", self.mgmt, b) for b in body])


@functools.cache
def bench_password_hash() -> str:
    """``BENCH_PASSWORD`` hashed once (argon2id PHC text, ~25 ms) with the parameters the
    bench's servers hash with: ``Settings``' defaults, as ``target.server_env`` sets none."""
    from passgate.config import Settings

    fields = Settings.model_fields
    hasher = argon2.PasswordHasher(
        memory_cost=int(fields["password_hash_memory_kib"].default),
        time_cost=int(fields["password_hash_time_cost"].default),
        parallelism=int(fields["password_hash_parallelism"].default),
    )
    return hasher.hash(BENCH_PASSWORD)


def _allowed(started: dict[str, Any]) -> str:
    """The one credential ID a passkey sign-in start's options allow."""
    return str(json.loads(started["options"])["publicKey"]["allowCredentials"][0]["id"])


def _user_named(started: dict[str, Any]) -> str:
    """The login ID a passkey sign-up start's options register a passkey for."""
    return str(json.loads(started["options"])["publicKey"]["user"]["name"])


def progress(result: dict[str, Any]) -> None:
    """One line per phase on stderr."""
    latency = result["latency_us"]
    print(
        f"    {result['path']:<12} c={result['connections']:<3} {result['rps']:>8.1f} req/s"
        f"  p50 {latency['p50'] / 1e3:7.2f} ms  p99 {latency['p99'] / 1e3:7.2f} ms"
        f"  errors {result['errors']}  server {result['server_ms_per_request']:.2f} ms/req"
        f"  CPU% server/wrk/pg/other {result['server_cpu_pct']:.0f}/{result['load_cpu_pct']:.0f}/"
        f"{result['postgres_cpu_pct']:.0f}/{result['other_cpu_pct']:.0f}  drain {result['drain_s']:.1f}s"
        f"  RSS {result['rss_mib']:.0f} MiB",
        file=sys.stderr,
        flush=True,
    )


def measure_cycle(driver: Phases, path_name: str, requests: Path) -> list[dict[str, Any]]:
    """A path whose requests can repeat (round robin over ``requests``): warm-up, then each concurrency."""
    driver.warm(path_name, requests, "cycle")
    return driver.measure_each_concurrency(path_name, lambda _c: requests, "cycle")


def run_paths(driver: Driver, paths: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[str]]:
    """Measure ``paths`` (healthz, start, verify, totp, passkey, password, oauth, refresh, me,
    jwks, search) on one server; the phases and the session JWTs the local check validates."""
    try:
        return _run_paths(driver, paths)
    finally:
        driver.close()


def _run_paths(driver: Driver, paths: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[str]]:
    sessions = driver.sign_in("warm", driver.sizes.sessions)
    phases: list[dict[str, Any]] = []
    if "healthz" in paths:
        phases += measure_cycle(driver, "healthz", driver.healthz_file())
    if "start" in paths:
        driver.warm("otp start", driver.start_file(count=driver.sizes.sessions), "once")
        phases += driver.measure_each_concurrency("otp start", driver.start_file, "once")
    if "verify" in paths:
        phases += driver.measure_each_concurrency("otp verify", driver.verify_file, "once")
    if "totp" in paths:
        phases += driver.measure_each_concurrency("totp verify", driver.totp_file, "once")
    if "passkey" in paths:
        phases += driver.measure_each_concurrency("passkey signin", driver.passkey_file, "once")
    if "password" in paths:
        phases += measure_cycle(driver, "password signin", driver.password_file())
    if "oauth" in paths:
        phases += driver.measure_each_concurrency("oauth exchange", driver.oauth_file, "once")
    if "refresh" in paths:
        driver.warm("refresh", driver.refresh_file(), "chain")
        phases += driver.measure_each_concurrency("refresh", lambda _c: driver.refresh_file(), "chain")
    if "me" in paths:
        phases += measure_cycle(driver, "me", driver.me_file(sessions))
    if "jwks" in paths:
        phases += measure_cycle(driver, "jwks", driver.jwks_file())
    if "search" in paths:
        phases += measure_cycle(driver, "search page", driver.search_page_file())
        phases += measure_cycle(driver, "search text", driver.search_text_file())
    return phases, [s["sessionJwt"] for s in sessions]
