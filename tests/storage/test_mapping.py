"""The row <-> record mapping (``storage/mapping.py``) that every store declares its table with."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

import pytest

import passgate.storage
from passgate.models.projects import Project
from passgate.models.tenants import TenantSettings
from passgate.models.users import UserStatus
from passgate.storage import tables, users_store
from passgate.storage.database import Database
from passgate.storage.mapping import (
    BOOL,
    JSON,
    JSON_OR_NULL,
    JSON_TUPLE,
    MS_AS_SECONDS,
    Column,
    Conversion,
    RecordTable,
    enum_of,
    insert_sql,
    model_of,
    numbered,
)
from tests.storage.build import a_user


def declared_tables() -> list[RecordTable[Any]]:
    found = []
    for info in pkgutil.iter_modules(passgate.storage.__path__):
        module = importlib.import_module(f"passgate.storage.{info.name}")
        found += [value for value in vars(module).values() if isinstance(value, RecordTable)]
    return found


def test_every_store_with_records_declares_its_table() -> None:
    names = {table.name for table in declared_tables()}
    assert names >= {
        "users", "sessions", "challenges", "link_tokens", "pending_sessions", "outbox", "audit_events",
        "projects", "access_keys", "tenants", "permissions", "roles",
    }  # fmt: skip


@pytest.mark.parametrize("table", declared_tables(), ids=repr)
def test_every_mapped_column_is_in_the_schema(table: RecordTable[Any]) -> None:
    schema = {column.name for column in tables.metadata.tables[table.name].columns}
    assert set(table.columns) <= schema


@dataclass(frozen=True)
class Pair:
    a: str
    b: int


def test_a_field_no_column_holds_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="held by no column"):
        RecordTable("pairs", Pair, (Column("a"),))
    RecordTable("pairs", Pair, (Column("a"),), other_fields=("b",))


def test_names_that_are_not_plain_identifiers_are_refused() -> None:
    with pytest.raises(ValueError, match="not a plain identifier"):
        RecordTable("pairs", Pair, (Column("a); DROP TABLE users; --", "a"), Column("b")))


@pytest.mark.parametrize(
    ("conversion", "value"),
    [
        (BOOL, True),
        (MS_AS_SECONDS, 1_800_000_000.25),
        (JSON, {"a": [1, "two", None]}),
        (JSON_TUPLE, ("x", "y")),
        (JSON_OR_NULL, None),
        (JSON_OR_NULL, {"k": 1}),
        (enum_of(UserStatus), UserStatus.DISABLED),
        (model_of(TenantSettings), TenantSettings(domains=["a.com"], inactivity_time=3)),
    ],
)
def test_each_conversion_reads_back_what_it_wrote(conversion: Conversion, value: Any) -> None:
    stored = conversion.dump(value) if conversion.dump else value
    assert (conversion.load(stored) if conversion.load else stored) == value


def test_from_row_and_params_of_are_inverse() -> None:
    user = a_user("P2project")
    row = users_store.USERS.params_of(user)
    assert row["status"] == "invited"
    assert row["created_at"] == int(user.created_at * 1000)
    assert users_store.USERS.from_row(row, login_ids=user.login_ids, authz=user.authz) == user


@pytest.mark.anyio
async def test_a_multi_row_insert_stores_each_row(db: Database, project: Project) -> None:
    """The statement ``bench/preload.py`` loads users with."""
    users = [a_user(project.id) for _ in range(3)]
    logins = [row for user in users for row in users_store.login_id_rows(user)]
    async with db.transaction() as tx:
        await tx.execute(
            users_store.USERS.insert_sql(rows=3), numbered([users_store.USERS.params_of(u) for u in users])
        )
        await tx.execute(insert_sql("login_ids", users_store.LOGIN_ID_COLUMNS, len(logins)), numbered(logins))
        assert await users_store.find_many(tx, project.id, [u.id for u in users]) == users
