"""Users and their login IDs (``users_store``), and the search over them (``user_search``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passgate.models.authz import Authorization
from passgate.models.projects import Project
from passgate.models.sessions import SessionRecord
from passgate.models.users import SortField, TestUsers, UserQuery, UserStatus
from passgate.storage import sessions_store, user_search, users_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, a_user, new_project, stored_user

pytestmark = pytest.mark.anyio


async def test_a_user_reads_back_as_it_was_stored(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) == user
        for login_id in user.login_ids:
            assert await users_store.find_by_login_id(tx, project.id, login_id) == user
            assert await users_store.login_id_owner(tx, project.id, login_id) == user.id


async def test_defaults_read_back_as_defaults(db: Database, project: Project) -> None:
    user = a_user(project.id, status=UserStatus.ENABLED, verified_email=False, verified_phone=False, test=False)
    user = replace(user, name="", picture="", custom_attributes={}, login_ids=user.login_ids[:1])
    async with db.transaction() as tx:
        await users_store.insert_user(tx, user)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) == user


async def test_users_are_found_only_in_their_project(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    other = await new_project(db)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, other.id, user.id) is None
        assert await users_store.find_by_login_id(tx, other.id, user.login_ids[0]) is None
        assert await users_store.find_many(tx, other.id, [user.id]) == []


async def test_a_login_id_belongs_to_one_user_of_a_project(db: Database, project: Project) -> None:
    owner = await stored_user(db, project.id)
    taken = a_user(project.id, login_ids=(owner.login_ids[1],))
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await users_store.insert_user(tx, taken)
    elsewhere = a_user((await new_project(db)).id, login_ids=(owner.login_ids[1],))
    async with db.transaction() as tx:  # another project may use the same login ID
        await users_store.insert_user(tx, elsewhere)


async def test_find_many_keeps_the_order_asked_and_leaves_unknown_ids_out(db: Database, project: Project) -> None:
    first, second = await stored_user(db, project.id), await stored_user(db, project.id)
    async with db.transaction(write=False) as tx:
        found = await users_store.find_many(tx, project.id, [second.id, "U2unknown", first.id])
    assert [user.id for user in found] == [second.id, first.id]


async def test_an_update_overwrites_the_profile_and_login_ids(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    changed = replace(
        user,
        login_ids=(user.login_ids[1], "new@example.com"),
        name="Ada King",
        status=UserStatus.DISABLED,
        verified_phone=False,
        custom_attributes={"plan": "free"},
        modified_at=(NOW_MS + 9_000) / 1000,
        created_at=0.0,  # never rewritten
    )
    async with db.transaction() as tx:
        await users_store.update_user(tx, changed)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) == replace(changed, created_at=user.created_at)
        assert await users_store.login_id_owner(tx, project.id, user.login_ids[0]) is None
        assert await users_store.login_id_owner(tx, project.id, "new@example.com") == user.id


async def test_an_update_given_the_previous_user_keeps_unchanged_login_ids(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction() as tx:
        await users_store.update_user(tx, replace(user, verified_email=False), previous=user)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) == replace(user, verified_email=False)


async def test_touch_moves_the_modification_time(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction() as tx:
        await users_store.touch(tx, user.id, NOW_MS + 60_000)
        found = await users_store.find_by_id(tx, project.id, user.id)
    assert found is not None
    assert found.modified_at == (NOW_MS + 60_000) / 1000


async def test_deleting_a_user_removes_its_login_ids_and_sessions(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    session = SessionRecord("s" + user.id, project.id, user.id, ["email"], "", NOW_MS, NOW_MS + 1, None)
    async with db.transaction() as tx:
        await sessions_store.insert_session(tx, session, "agent")
        await users_store.delete_user(tx, user.id)
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) is None
        assert await users_store.login_id_owner(tx, project.id, user.login_ids[0]) is None
        assert await sessions_store.get_session(tx, project.id, session.id) is None
    async with db.transaction() as tx:  # the login IDs are free again
        await users_store.insert_user(tx, a_user(project.id, login_ids=user.login_ids))


async def test_deleting_test_users_leaves_the_others(db: Database, project: Project) -> None:
    tests = [await stored_user(db, project.id, test=True) for _ in range(2)]
    real = await stored_user(db, project.id, test=False)
    async with db.transaction() as tx:
        assert await users_store.delete_test_users(tx, project.id) == 2
        assert await users_store.find_many(tx, project.id, [u.id for u in (*tests, real)]) == [real]


async def test_deleting_users_by_id_only_touches_the_projects_users(db: Database, project: Project) -> None:
    other = await new_project(db)
    doomed = [await stored_user(db, project.id) for _ in range(2)]
    kept, foreign = await stored_user(db, project.id), await stored_user(db, other.id)
    session = SessionRecord("s" + doomed[0].id, project.id, doomed[0].id, ["email"], "", NOW_MS, NOW_MS + 1, None)
    async with db.transaction() as tx:
        await sessions_store.insert_session(tx, session, "agent")
        ids = [doomed[0].id, doomed[1].id, doomed[0].id, foreign.id, "U2unknown"]
        assert await users_store.delete_users(tx, project.id, ids) == 2
        assert await users_store.delete_users(tx, project.id, []) == 0
    async with db.transaction(write=False) as tx:
        assert await users_store.find_many(tx, project.id, [u.id for u in (*doomed, kept)]) == [kept]
        assert await users_store.find_by_id(tx, other.id, foreign.id) == foreign
        assert await users_store.login_id_owner(tx, project.id, doomed[1].login_ids[0]) is None
        assert await sessions_store.get_session(tx, project.id, session.id) is None


async def test_users_carry_their_authorization(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    async with db.transaction(write=False) as tx:
        found = await users_store.find_by_id(tx, project.id, user.id)
    assert found is not None
    assert found.authz == Authorization()  # filled by grants_store; see test_grants_store


async def test_search_filters_pages_and_counts(db: Database, project: Project) -> None:
    users = [await stored_user(db, project.id, name=f"Searchable {i}", test=False) for i in range(3)]
    await stored_user(db, project.id, name="Searchable test user", test=True)
    query = UserQuery(text="searchable", sort=((SortField.NAME, True),), limit=2)
    async with db.transaction(write=False) as tx:
        page, total = await user_search.search(tx, project.id, query)
        last, _ = await user_search.search(tx, project.id, replace(query, page=1))
        with_tests, all_total = await user_search.search(tx, project.id, replace(query, test_users=TestUsers.INCLUDE))
        by_attribute, _ = await user_search.search(
            tx, project.id, UserQuery(custom_attributes={"plan": "pro"}, user_ids=(users[0].id,))
        )
    assert ([u.name for u in page], total) == (["Searchable 2", "Searchable 1"], 3)
    assert [u.name for u in last] == ["Searchable 0"]
    assert (len(with_tests), all_total) == (2, 4)
    assert by_attribute == [users[0]]
