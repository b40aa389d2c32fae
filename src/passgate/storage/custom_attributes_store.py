"""The custom attributes each project defines for its users."""

from __future__ import annotations

import json
from collections.abc import Sequence

from passgate.models.custom_attributes import AttributeOption, AttributeType, CustomAttributeDefinition
from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import BOOL, Column, Conversion, RecordTable, as_is, enum_of


def _load_options(text: str) -> tuple[AttributeOption, ...]:
    return tuple(AttributeOption(value=item["value"], label=item["label"]) for item in json.loads(text))


def _dump_options(options: Sequence[AttributeOption]) -> str:
    return json.dumps([{"value": option.value, "label": option.label} for option in options])


CUSTOM_ATTRIBUTES = RecordTable(
    "custom_attributes",
    CustomAttributeDefinition,
    (
        *as_is("project_id", "name"),
        Column("type", conversion=enum_of(AttributeType)),
        Column("display_name"),
        Column("options", conversion=Conversion(load=_load_options, dump=_dump_options)),
        Column("required", conversion=BOOL),
        Column("created_at", "created_at_ms"),
    ),
)
_INSERT = CUSTOM_ATTRIBUTES.insert_sql()


async def insert(tx: Transaction, definition: CustomAttributeDefinition) -> None:
    """Store a new definition; ``IntegrityViolation`` if the project already has that name."""
    await tx.execute(_INSERT, CUSTOM_ATTRIBUTES.params_of(definition))


async def list_for(tx: Transaction, project_id: str) -> list[CustomAttributeDefinition]:
    """The project's definitions, oldest first."""
    rows = await tx.fetch_all(
        "SELECT * FROM custom_attributes WHERE project_id = :p ORDER BY created_at, name", {"p": project_id}
    )
    return [CUSTOM_ATTRIBUTES.from_row(row) for row in rows]


async def delete(tx: Transaction, project_id: str, names: Sequence[str]) -> int:
    """Delete the project's definitions among ``names`` (unknown names are skipped); how many."""
    placeholders, params = in_list("n", list(names))
    return await tx.execute(
        f"DELETE FROM custom_attributes WHERE project_id = :p AND name IN {placeholders}", {**params, "p": project_id}
    )
