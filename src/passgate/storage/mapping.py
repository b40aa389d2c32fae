"""Rows ↔ records: one declaration per table, compiled once at import.

A store declares its table as a ``RecordTable``: the record class and, in column order,
each ``Column`` with the record field it holds and the ``Conversion`` between the two
(booleans, unix ms ↔ seconds, JSON text, enums, tuples, pydantic models; ``as_is(...)``
for columns holding the field of their name unchanged). From it come

* ``from_row(row, **other_fields)``: the record of a row (fields that no column holds,
  such as a user's login IDs, are passed by the caller);
* ``params_of(record)``: column name → stored value, the parameters of the statements;
* ``insert_sql(...)`` and ``assignments(...)``: the SQL text over those parameter names.

``from_row`` and ``params_of`` are generated as straight-line code (``row["id"]``, …),
the code a store would write by hand, so a hot path (OTP verify, refresh) pays nothing for
the declaration: no loop over columns and no reflection per call. The declaration is
checked when it is built: every field of the record is held by a column or named in
``other_fields``, and names are plain identifiers (they become SQL and Python names).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from operator import attrgetter
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

R = TypeVar("R")

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Conversion:
    """Between a field's value and its column's: ``load`` reads a column, ``dump`` writes
    one (``None``: the value as it is)."""

    load: Callable[[Any], Any] | None = None
    dump: Callable[[Any], Any] | None = None


def _seconds(ms: int) -> float:
    return ms / 1000


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _json_tuple(text: str) -> tuple[Any, ...]:
    return tuple(json.loads(text))


def _json_list(values: Sequence[Any]) -> str:
    return json.dumps(list(values))


def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


def _json_or_null(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


AS_IS = Conversion()
BOOL = Conversion(load=bool)  # SQLite answers 0/1; both drivers take a bool
INT = Conversion(load=int)
MS_AS_SECONDS = Conversion(load=_seconds, dump=_ms)  # a float of seconds, stored as unix ms
JSON = Conversion(load=json.loads, dump=json.dumps)
JSON_TUPLE = Conversion(load=_json_tuple, dump=_json_list)  # a tuple, stored as a JSON array
JSON_OR_NULL = Conversion(load=_json_or_none, dump=_json_or_null)  # None is SQL NULL


def enum_of(cls: type[Enum]) -> Conversion:
    """An enum member, stored as its value."""
    return Conversion(load=cls, dump=attrgetter("value"))


def model_of(cls: type[BaseModel]) -> Conversion:
    """A pydantic model, stored as its JSON."""
    return Conversion(load=cls.model_validate_json, dump=cls.model_dump_json)


@dataclass(frozen=True)
class Column:
    """A column ``name`` holding the record field ``field`` (the same name when not given)."""

    name: str
    field: str = ""
    conversion: Conversion = AS_IS

    @property
    def field_name(self) -> str:
        return self.field or self.name


def as_is(*names: str) -> tuple[Column, ...]:
    """Columns holding the field of the same name, unconverted."""
    return tuple(Column(name) for name in names)


def insert_sql(table: str, columns: Sequence[str], rows: int = 1) -> str:
    """``INSERT INTO table (a, b) VALUES (:a, :b)``; for ``rows`` > 1 one statement for that
    many rows, whose parameters are those of ``numbered`` (``:a_0, :b_0``, ``:a_1``, …)."""
    if rows == 1:
        values = "(" + ", ".join(f":{column}" for column in columns) + ")"
    else:
        values = ", ".join("(" + ", ".join(f":{column}_{row}" for column in columns) + ")" for row in range(rows))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"


def numbered(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parameters of a multi-row ``insert_sql``: each row's ``column`` as ``column_<i>``."""
    return {f"{column}_{index}": value for index, row in enumerate(rows) for column, value in row.items()}


def assignments(columns: Sequence[str]) -> str:
    """``a = :a, b = :b``: the ``SET`` list writing each column from its parameter."""
    return ", ".join(f"{column} = :{column}" for column in columns)


class RecordTable(Generic[R]):
    """How the rows of ``name`` hold records of the dataclass ``record``."""

    def __init__(
        self, name: str, record: type[R], columns: Sequence[Column], *, other_fields: Sequence[str] = ()
    ) -> None:
        _check(name, record, columns, other_fields)
        self.name = name
        self.record = record
        self.columns: tuple[str, ...] = tuple(column.name for column in columns)
        self.source = _reader_source(columns, other_fields) + _writer_source(columns)
        namespace: dict[str, Any] = {"_record": record}
        for index, column in enumerate(columns):
            namespace[f"_load{index}"] = column.conversion.load
            namespace[f"_dump{index}"] = column.conversion.dump
        # The source is built above from checked identifiers only, never from data.
        exec(compile(self.source, f"<mapping of {name}>", "exec"), namespace)  # noqa: S102
        self.from_row: Callable[..., R] = namespace["from_row"]
        self.params_of: Callable[[R], dict[str, Any]] = namespace["params_of"]

    def insert_sql(self, *extra_columns: str, rows: int = 1) -> str:
        """The ``INSERT`` of every mapped column, then ``extra_columns`` (parameters the
        caller adds to ``params_of``)."""
        return insert_sql(self.name, (*self.columns, *extra_columns), rows)

    def assignments(self, *, leaving: Sequence[str] = ()) -> str:
        """The ``SET`` list of every mapped column but those in ``leaving``."""
        return assignments([column for column in self.columns if column not in leaving])

    def __repr__(self) -> str:
        return f"RecordTable({self.name!r}, {self.record.__name__})"


def _check(name: str, record: type[Any], columns: Sequence[Column], other_fields: Sequence[str]) -> None:
    if not is_dataclass(record):
        raise TypeError(f"{name}: {record!r} is not a dataclass")
    names = [name, *(c.name for c in columns), *(c.field_name for c in columns), *other_fields]
    if bad := [n for n in names if not _NAME.match(n)]:
        raise ValueError(f"{name}: not a plain identifier: {bad}")
    if len({c.name for c in columns}) != len(columns):
        raise ValueError(f"{name}: a column is declared twice")
    held = [c.field_name for c in columns] + list(other_fields)
    declared = {f.name for f in fields(record)}
    if sorted(held) != sorted(declared):
        raise ValueError(
            f"{name}: fields of {record.__name__} held by no column: {sorted(declared - set(held))};"
            f" not fields, or held twice: {sorted(n for n in held if n not in declared or held.count(n) > 1)}"
        )


def _values(columns: Sequence[Column], template: str, way: str) -> list[str]:
    """Per column, the expression ``template`` (over ``column`` and ``field``), passed through
    the column's ``load`` or ``dump`` (``way``) when it has one: ``_load3(row['status'])``."""
    values = []
    for index, column in enumerate(columns):
        value = template.format(column=repr(column.name), field=column.field_name)
        values.append(value if getattr(column.conversion, way) is None else f"_{way}{index}({value})")
    return values


def _reader_source(columns: Sequence[Column], other_fields: Sequence[str]) -> str:
    values = _values(columns, "row[{column}]", "load")
    arguments = [f"{column.field_name}={value}" for column, value in zip(columns, values, strict=True)]
    arguments += [f"{field}={field}" for field in other_fields]
    signature = "row, *, " + ", ".join(other_fields) if other_fields else "row"
    return f"def from_row({signature}):\n    return _record({', '.join(arguments)})\n"


def _writer_source(columns: Sequence[Column]) -> str:
    values = _values(columns, "record.{field}", "dump")
    items = [f"{column.name!r}: {value}" for column, value in zip(columns, values, strict=True)]
    return f"def params_of(record):\n    return {{{', '.join(items)}}}\n"
