"""User search: every filter combined in one SQL ``WHERE``, a page in a constant number of queries.

A page costs four statements whatever its size: the page ``SELECT``, the total, and
``users_store.complete_many`` (login IDs, then authorizations, each batched). The total is
a ``COUNT`` of the matches when a filter applies, the kept per-project count (migration
0010) when none does, and no statement at all when the page is short (the last page).
Only values travel as parameters; column names and sort directions come from the
whitelist below, never from the request.
"""

from __future__ import annotations

from typing import Any

from passgate.models.users import SortField, TestUsers, User, UserQuery
from passgate.storage import users_store
from passgate.storage.database import Transaction, in_list

# Sort field -> SQL expression over ``users u`` (the only text that reaches ORDER BY).
_SORT_EXPRESSIONS: dict[SortField, str] = {
    SortField.USER_ID: "u.id",
    SortField.LOGIN_ID: "(SELECT l.login_id FROM login_ids l WHERE l.user_id = u.id AND l.position = 0)",
    SortField.NAME: "u.name",
    SortField.GIVEN_NAME: "u.given_name",
    SortField.MIDDLE_NAME: "u.middle_name",
    SortField.FAMILY_NAME: "u.family_name",
    SortField.EMAIL: "u.email",
    SortField.PHONE: "u.phone",
    SortField.STATUS: "u.status",
    SortField.TEST: "u.test",
    SortField.CREATED: "u.created_at",
    SortField.MODIFIED: "u.modified_at",
}

_DEFAULT_ORDER = ("u.created_at", "u.id")
_LIKE_ESCAPE = "\\"


class _Where:
    """``AND``-ed conditions and their parameters, named uniquely as they are added.

    It starts with the project and the test-user choice; ``filtered`` says whether any
    other condition was added (without one, the kept per-project count is the total).
    """

    def __init__(self, project_id: str, test_users: TestUsers) -> None:
        self.conditions = ["u.project_id = :project"]
        self.params: dict[str, Any] = {"project": project_id}
        if test_users is not TestUsers.INCLUDE:
            self.conditions.append("u.test = :test")
            self.params["test"] = test_users is TestUsers.ONLY
        self.filtered = False

    def add(self, condition: str, **params: Any) -> None:
        self.conditions.append(condition)
        self.params.update(params)
        self.filtered = True

    def any_of(self, prefix: str, values: tuple[str, ...], template: str) -> None:
        """``template`` with ``{values}`` replaced by an ``IN`` list, unless there are no values."""
        if values:
            placeholders, params = in_list(prefix, list(dict.fromkeys(values)))
            self.add(template.format(values=placeholders), **params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions)


def _where(project_id: str, query: UserQuery) -> _Where:
    where = _Where(project_id, query.test_users)
    where.any_of("st", query.statuses, "u.status IN {values}")
    where.any_of("em", query.emails, "u.email IN {values}")
    where.any_of("ph", query.phones, "u.phone IN {values}")
    where.any_of("id", query.user_ids, "u.id IN {values}")
    where.any_of(
        "li",
        query.login_ids,
        "u.id IN (SELECT l.user_id FROM login_ids l WHERE l.project_id = :project AND l.login_id IN {values})",
    )
    where.any_of(
        "tn",
        query.tenant_ids,
        "u.id IN (SELECT pt.principal_id FROM principal_tenants pt"
        " WHERE pt.project_id = :project AND pt.tenant_id IN {values})",
    )
    # A role counts whether it is held at project level or in any tenant.
    where.any_of(
        "rn",
        query.role_names,
        "u.id IN (SELECT pr.principal_id FROM principal_roles pr"
        " JOIN roles r ON r.id = pr.role_id WHERE pr.project_id = :project AND r.name IN {values})",
    )
    _add_time_range(where, "u.created_at", query.created_from_ms, query.created_to_ms)
    _add_time_range(where, "u.modified_at", query.modified_from_ms, query.modified_to_ms)
    if query.text:
        _add_text(where, query.text)
    for i, (key, value) in enumerate(sorted(query.custom_attributes.items())):
        _add_attribute(where, i, key, value)
    return where


def _add_time_range(where: _Where, column: str, start: int | None, end: int | None) -> None:
    name = column.removeprefix("u.")
    if start is not None:
        where.add(f"{column} >= :{name}_from", **{f"{name}_from": start})
    if end is not None:
        where.add(f"{column} <= :{name}_to", **{f"{name}_to": end})


# The text filter's fields of ``users``, one per line, lowercased: migration 0009 indexes
# exactly this expression (pg_trgm GIN) on PostgreSQL, so it must not change on its own.
TEXT_FIELDS = "LOWER(s.name || '\n' || s.given_name || '\n' || s.family_name || '\n' || s.email || '\n' || s.phone)"


def _add_text(where: _Where, text: str) -> None:
    """Case-insensitive substring of a login ID, the names, the email or the phone.

    Written as one ``IN`` over two indexable lookups (the user fields, then login IDs) rather
    than an ``OR`` of columns, so PostgreSQL answers it from the trigram indexes of
    migration 0009. (Only a text holding a line break could match across two fields.)
    """
    escaped = "".join(_LIKE_ESCAPE + c if c in "%_" + _LIKE_ESCAPE else c for c in text.lower())
    like = f"LIKE :text ESCAPE '{_LIKE_ESCAPE}'"
    where.add(
        f"u.id IN (SELECT s.id FROM users s WHERE s.project_id = :project AND {TEXT_FIELDS} {like}"
        f" UNION ALL SELECT l.user_id FROM login_ids l WHERE l.project_id = :project AND LOWER(l.login_id) {like})",
        text=f"%{escaped}%",
    )


def _add_attribute(where: _Where, index: int, key: str, value: Any) -> None:
    """The top-level attribute ``key`` equals ``value`` exactly (same JSON type and value).

    ``REPLACE(x, s, '') <> x`` is a case-sensitive "x contains s" on both backends (SQLite's
    ``LIKE`` ignores case); the line text is followed by ``,\\n`` or the closing ``\\n}``.
    """
    line = users_store.attribute_line(key, value)
    middle, last = f"ca{index}m", f"ca{index}l"
    where.add(
        f"(REPLACE(u.custom_attributes, :{middle}, '') <> u.custom_attributes"
        f" OR REPLACE(u.custom_attributes, :{last}, '') <> u.custom_attributes)",
        **{middle: line + ",\n", last: line + "\n}"},
    )


def _order_by(sort: tuple[tuple[SortField, bool], ...]) -> str:
    """The ORDER BY clause from whitelisted fields, ending with ``u.id`` so pages never overlap."""
    terms: dict[str, str] = {}
    for name, descending in sort:
        expression = _SORT_EXPRESSIONS[name]
        terms.setdefault(expression, "DESC" if descending else "ASC")
    for expression in _DEFAULT_ORDER:
        terms.setdefault(expression, "ASC")
    return ", ".join(f"{expression} {direction}" for expression, direction in terms.items())


async def search(tx: Transaction, project_id: str, query: UserQuery) -> tuple[list[User], int]:
    """One page of the project's users matching ``query``, and how many match in all."""
    where = _where(project_id, query)
    offset = query.page * query.limit
    rows = await tx.fetch_all(
        f"SELECT u.* FROM users u WHERE {where.sql} ORDER BY {_order_by(query.sort)} LIMIT :limit OFFSET :offset",
        {**where.params, "limit": query.limit, "offset": offset},
    )
    if len(rows) < query.limit and (rows or offset == 0):
        # A short page is the last one, so it tells the total: a selective filter (a text
        # search finding a few users) then costs one query instead of running twice.
        total = offset + len(rows)
    elif not where.filtered:
        total = await _counted(tx, project_id, query.test_users)
    else:
        counted = await tx.fetch_one(f"SELECT COUNT(*) AS n FROM users u WHERE {where.sql}", where.params)
        total = int(counted["n"]) if counted else 0
    return await users_store.complete_many(tx, rows), total


async def _counted(tx: Transaction, project_id: str, test_users: TestUsers) -> int:
    """The project's users (test users as ``test_users`` says) from the counts kept by
    migration 0010's triggers: the sum of a few rows, not a scan of every user."""
    test_filter = "" if test_users is TestUsers.INCLUDE else " AND test = :test"
    row = await tx.fetch_one(
        f"SELECT COALESCE(SUM(n), 0) AS n FROM user_counts WHERE project_id = :project{test_filter}",
        {"project": project_id, "test": test_users is TestUsers.ONLY},
    )
    return int(row["n"]) if row else 0
