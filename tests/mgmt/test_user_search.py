"""User search (``/v2/mgmt/user/search`` and ``/search/test``) over 1,200 users created by
batch create: filters combine, pages walk every match exactly once, sorting follows a
whitelist, and a page costs a constant number of SQL statements whatever its size."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from descope import AuthException, UserObj
from descope.management.common import Sort

from passgate.models.users import SortField, TestUsers, UserQuery
from passgate.storage import user_search
from passgate.storage.connect import open_database
from passgate.storage.database import Params, Row, Transaction
from tests.support import LiveServer, error_code, unique_email

POPULATION = 1200
BATCH = 600  # users per batch call: ~250 KB, over the 64 KiB cap of other routes (batch routes get 64x)


@dataclass(frozen=True)
class Population:
    """The users one module created: ``run`` is the custom attribute that tells them apart."""

    run: str
    users: list[dict[str, Any]] = field(default_factory=list)

    @property
    def only(self) -> dict[str, Any]:
        return {"run": self.run}

    def where(self, index_test: Any) -> set[str]:
        return {user["userId"] for i, user in enumerate(self.users) if index_test(i)}


def _person(run: str, i: int) -> UserObj:
    return UserObj(
        login_id=f"{run}-{i:04d}@example.com",
        email=f"{run}-{i:04d}@example.com",
        phone=f"+1415{2_000_000 + i}",
        display_name=f"Person {i:04d}",
        custom_attributes={"run": run, "cohort": i % 3, "vip": i % 7 == 0},
        status="disabled" if i % 4 == 0 else "enabled",
    )


@pytest.fixture(scope="module")
def population(server: LiveServer) -> Population:
    client = server.client(management=True)
    created = Population(run=f"run{secrets.token_hex(4)}")
    for start in range(0, POPULATION, BATCH):
        answer = client.mgmt.user.invite_batch([_person(created.run, i) for i in range(start, start + BATCH)])
        assert answer["failedUsers"] == []
        created.users.extend(answer["createdUsers"])
    return created


def _search(server: LiveServer, **filters: Any) -> dict[str, Any]:
    return dict(server.client(management=True).mgmt.user.search_all(**filters))


def _ids(answer: dict[str, Any]) -> set[str]:
    return {user["userId"] for user in answer["users"]}


def test_pages_walk_every_match_exactly_once(server: LiveServer, population: Population) -> None:
    seen: list[str] = []
    for page in range(5):
        answer = _search(server, custom_attributes=population.only, limit=250, page=page)
        assert answer["total"] == POPULATION
        seen.extend(user["userId"] for user in answer["users"])
    assert len(seen) == POPULATION
    assert set(seen) == population.where(lambda i: True)
    beyond = _search(server, custom_attributes=population.only, limit=250, page=5)
    assert (beyond["users"], beyond["total"]) == ([], POPULATION)


def test_default_page_is_100(server: LiveServer, population: Population) -> None:
    answer = _search(server, custom_attributes=population.only)
    assert (len(answer["users"]), answer["total"]) == (100, POPULATION)


def test_no_filter_total_counts_every_regular_user(server: LiveServer, population: Population) -> None:
    first = _search(server, limit=1000)
    seen = _ids(first) | _ids(_search(server, limit=1000, page=1))
    assert first["total"] == len(seen) >= POPULATION


def _enumerated(server: LiveServer, **choice: Any) -> set[str]:
    """Every user a walk over pages of 1,000 finds (the last, short page ends the walk)."""
    found: set[str] = set()
    for page in range(100):
        answer = _search(server, limit=1000, page=page, **choice)
        found |= _ids(answer)
        if len(answer["users"]) < 1000:
            return found
    raise AssertionError("more pages than expected")


TEST_USER_CHOICES: list[dict[str, bool]] = [{}, {"with_test_user": True}, {"test_users_only": True}]


def _assert_totals_match_users(server: LiveServer) -> None:
    """The total of a one-user page (a full page: the kept count answers it) is the number of
    users a walk over every page finds, for regular, all and test-only searches."""
    for choice in TEST_USER_CHOICES:
        assert _search(server, limit=1, **choice)["total"] == len(_enumerated(server, **choice)), choice


def test_unfiltered_totals_follow_every_write(server: LiveServer, population: Population) -> None:
    client = server.client(management=True)
    _assert_totals_match_users(server)
    before = _search(server, limit=1)["total"]
    regular = [client.mgmt.user.create(unique_email("count"))["user"]["userId"] for _ in range(3)]
    for _ in range(2):
        client.mgmt.user.create_test_user(unique_email("count-test"))
    answer = client.mgmt.user.invite_batch([UserObj(login_id=unique_email("count-batch")) for _ in range(4)])
    assert answer["failedUsers"] == []
    _assert_totals_match_users(server)
    assert _search(server, limit=1)["total"] == before + 7
    client.mgmt.user.delete_by_user_id(regular[0])
    client.mgmt.user.delete_all_test_users()
    _assert_totals_match_users(server)
    assert _search(server, limit=1)["total"] == before + 6
    assert _search(server, limit=1, test_users_only=True)["total"] == 0


def test_filters_combine(server: LiveServer, population: Population) -> None:
    answer = _search(server, statuses=["disabled"], custom_attributes={**population.only, "cohort": 1}, limit=1000)
    expected = population.where(lambda i: i % 4 == 0 and i % 3 == 1)
    assert (_ids(answer), answer["total"]) == (expected, len(expected))
    assert all(user["status"] == "disabled" and user["customAttributes"]["cohort"] == 1 for user in answer["users"])

    picked = [population.users[i] for i in (3, 40, 41, 500)]
    by_email = _search(server, emails=[picked[0]["email"].upper(), picked[1]["email"]], statuses=["enabled"])
    assert _ids(by_email) == {picked[0]["userId"]}  # 40 is disabled
    by_login = _search(server, login_ids=[user["loginIds"][0] for user in picked[:3]], user_ids=[picked[2]["userId"]])
    assert _ids(by_login) == {picked[2]["userId"]}
    by_phone = _search(server, phones=[picked[3]["phone"]], custom_attributes=population.only)
    assert _ids(by_phone) == {picked[3]["userId"]}


def test_text_matches_names_and_login_ids_case_insensitively(server: LiveServer, population: Population) -> None:
    answer = _search(server, text="PERSON 012", custom_attributes=population.only)
    assert _ids(answer) == population.where(lambda i: 120 <= i <= 129)
    by_login_id = _search(server, text=f"{population.run}-0777@")
    assert _ids(by_login_id) == population.where(lambda i: i == 777)
    assert _search(server, text="%", custom_attributes=population.only)["total"] == 0  # a literal %
    assert _search(server, text="_", custom_attributes=population.only)["total"] == 0


def test_custom_attributes_match_exactly_at_top_level(server: LiveServer, population: Population) -> None:
    vip = _search(server, custom_attributes={**population.only, "vip": True}, limit=1000)
    assert _ids(vip) == population.where(lambda i: i % 7 == 0)
    assert _search(server, custom_attributes={**population.only, "vip": "true"})["total"] == 0
    assert _search(server, custom_attributes={**population.only, "cohort": "2"})["total"] == 0
    assert _search(server, custom_attributes={"run": population.run.upper()})["total"] == 0

    client = server.client(management=True)
    nested = client.mgmt.user.create(unique_email("nested"), custom_attributes={"meta": {"run": population.run}})
    assert _search(server, custom_attributes=population.only)["total"] == POPULATION
    found = _search(server, custom_attributes={"meta": {"run": population.run}})
    assert _ids(found) == {nested["user"]["userId"]}


def test_sort_by_whitelisted_fields(server: LiveServer, population: Population) -> None:
    answer = _search(server, custom_attributes=population.only, sort=[Sort("name", desc=True)], limit=3)
    assert [user["name"] for user in answer["users"]] == ["Person 1199", "Person 1198", "Person 1197"]
    answer = _search(server, custom_attributes=population.only, sort=[Sort("email")], limit=2, page=1)
    assert [user["name"] for user in answer["users"]] == ["Person 0002", "Person 0003"]
    mixed = _search(
        server, custom_attributes=population.only, sort=[Sort("status"), Sort("loginId", desc=True)], limit=2
    )
    assert [user["name"] for user in mixed["users"]] == ["Person 1196", "Person 1192"]  # disabled first

    for hostile in ("password", "name; DROP TABLE users", "u.id"):
        with pytest.raises(AuthException) as refused:
            _search(server, custom_attributes=population.only, sort=[Sort(hostile)])
        assert error_code(refused.value) == "E011004"
    assert _search(server, custom_attributes=population.only)["total"] == POPULATION


def test_created_and_modified_time_ranges(server: LiveServer, population: Population) -> None:
    seconds = sorted({user["createdTime"] for user in population.users})
    first_second = seconds[0]
    answer = _search(server, custom_attributes=population.only, to_created_time=first_second * 1000 + 999, limit=1000)
    in_first_second = {user["userId"] for user in population.users if user["createdTime"] == first_second}
    # A fast machine creates more than a page (1,000) in one second: compare the total too.
    assert answer["total"] == len(in_first_second)
    assert _ids(answer) <= in_first_second
    assert len(answer["users"]) == min(len(in_first_second), 1000)
    later = _search(server, custom_attributes=population.only, from_created_time=(first_second + 1) * 1000)
    assert later["total"] == POPULATION - answer["total"]

    client = server.client(management=True)
    before_ms = int(server.clock.now() * 1000) - 1
    for i in (5, 6):
        client.mgmt.user.update_custom_attribute(population.users[i]["loginIds"][0], "touched", True)
    modified = _search(server, custom_attributes=population.only, from_modified_time=before_ms)
    assert _ids(modified) == population.where(lambda i: i in (5, 6))
    untouched = _search(server, custom_attributes=population.only, to_modified_time=before_ms, limit=1)
    assert untouched["total"] == POPULATION - 2


def test_test_users_only_when_asked(server: LiveServer, population: Population) -> None:
    client = server.client(management=True)
    tag = {"run": f"tests-{population.run}"}
    testers = {
        client.mgmt.user.create_test_user(unique_email("t"), custom_attributes=tag)["user"]["userId"] for _ in range(3)
    }
    regular = client.mgmt.user.create(unique_email("r"), custom_attributes=tag)["user"]["userId"]
    assert _ids(_search(server, custom_attributes=tag)) == {regular}
    assert _ids(_search(server, custom_attributes=tag, with_test_user=True)) == testers | {regular}
    assert _ids(_search(server, custom_attributes=tag, test_users_only=True)) == testers
    only_tests = client.mgmt.user.search_all_test_users(custom_attributes=tag)
    assert (_ids(only_tests), only_tests["total"]) == (testers, 3)


def test_tenant_and_role_filters(server: LiveServer, population: Population) -> None:
    client = server.client(management=True)
    tenant_id = client.mgmt.tenant.create(f"search-{secrets.token_hex(4)}")["id"]
    role = f"searcher-{secrets.token_hex(4)}"
    client.mgmt.role.create(role)
    members = population.users[10:14]
    for user in members[:2]:
        client.mgmt.user.add_tenant(user["loginIds"][0], tenant_id)
    client.mgmt.user.add_roles(members[2]["loginIds"][0], [role])
    client.mgmt.user.add_tenant_roles(members[3]["loginIds"][0], tenant_id, [role])

    in_tenant = _search(server, tenant_ids=[tenant_id])
    assert _ids(in_tenant) == {members[0]["userId"], members[1]["userId"], members[3]["userId"]}
    with_role = _search(server, role_names=[role])
    assert _ids(with_role) == {members[2]["userId"], members[3]["userId"]}
    both = _search(server, tenant_ids=[tenant_id], role_names=[role])
    assert _ids(both) == {members[3]["userId"]}
    assert [t["roleNames"] for t in both["users"][0]["userTenants"]] == [[role]]


# --- statements per page -------------------------------------------------------------------------
class CountingTransaction:
    """A real transaction that records each statement it runs."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.statements: list[str] = []

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        self.statements.append(sql)
        return await self._tx.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        self.statements.append(sql)
        return await self._tx.fetch_all(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        self.statements.append(sql)
        return await self._tx.execute(sql, params)

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        self.statements.append(sql)
        await self._tx.execute_many(sql, rows)


def _page_statements(server: LiveServer, query: UserQuery) -> tuple[int, int]:
    """(statements run, users returned) for one search page, on the server's own database."""

    async def run() -> tuple[int, int]:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            async with db.transaction(write=False) as tx:
                counting = CountingTransaction(tx)
                found, _ = await user_search.search(counting, server.project_id, query)
                assert all(user.login_ids for user in found)  # complete users, login IDs loaded
                return len(counting.statements), len(found)
        finally:
            await db.close()

    return asyncio.run(run())


def test_a_page_costs_the_same_statements_whatever_its_size(server: LiveServer, population: Population) -> None:
    attributes = {"run": population.run}
    small = _page_statements(server, UserQuery(custom_attributes=attributes, limit=10))
    large = _page_statements(server, UserQuery(custom_attributes=attributes, limit=1000))
    sorted_filtered = _page_statements(
        server,
        UserQuery(
            custom_attributes=attributes,
            statuses=("enabled",),
            text="person",
            test_users=TestUsers.INCLUDE,
            sort=((SortField.LOGIN_ID, True),),
            limit=1000,
        ),
    )
    assert (small, large) == ((4, 10), (4, 1000))
    assert sorted_filtered == (3, 900)  # a short page is the last: its total needs no COUNT


def test_bad_paging_is_refused(server: LiveServer) -> None:
    client = server.client(management=True)
    for filters in ({"limit": 1001}, {"statuses": ["sleeping"]}):
        with pytest.raises(AuthException) as refused:
            client.mgmt.user.search_all(**filters)
        assert refused.value.status_code == 400
        assert error_code(refused.value).startswith("E011")
