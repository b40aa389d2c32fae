"""The custom attributes a project defines for its users, and the check of the values a
management call writes against them.

A project that defines none accepts any attributes, as every project did before
definitions existed. Once it defines one, each attribute a create, update or patch writes
must be defined, with a value of its type (``None`` clears any attribute). Only the
attributes a call writes are checked: a value stored before its definition was deleted
stays on the user and does not block other changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from passgate.auth.context import AuthContext
from passgate.errors import CustomAttributeAlreadyExists, InvalidArgument, MissingArgument
from passgate.models.custom_attributes import AttributeOption, AttributeType, CustomAttributeDefinition
from passgate.models.projects import Project
from passgate.storage import custom_attributes_store
from passgate.storage.database import IntegrityViolation, Transaction

_MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\Z")  # MM-DD


@dataclass(frozen=True)
class NewAttribute:
    name: str
    type: AttributeType
    display_name: str = ""
    options: tuple[AttributeOption, ...] = ()
    required: bool = False


async def definitions(ctx: AuthContext, project: Project) -> list[CustomAttributeDefinition]:
    """The project's definitions, oldest first."""
    async with ctx.db.transaction(write=False) as tx:
        return await custom_attributes_store.list_for(tx, project.id)


async def define(
    ctx: AuthContext, project: Project, attributes: Sequence[NewAttribute]
) -> list[CustomAttributeDefinition]:
    """Add definitions, all or none; every definition of the project after it.

    ``CustomAttributeAlreadyExists`` for a name the project has (or the request repeats);
    ``InvalidArgument`` for a select without options, or options on another type.
    """
    if not attributes:
        raise MissingArgument("At least one attribute is required")
    now_ms = ctx.now_ms()
    new = [_definition(project.id, attribute, now_ms) for attribute in attributes]
    async with ctx.db.transaction() as tx:
        taken = {definition.name for definition in await custom_attributes_store.list_for(tx, project.id)}
        for definition in new:
            if definition.name in taken:
                raise CustomAttributeAlreadyExists(f"Custom attribute {definition.name!r} already exists")
            taken.add(definition.name)
            try:
                await custom_attributes_store.insert(tx, definition)
            except IntegrityViolation as exc:  # defined meanwhile by a concurrent call
                raise CustomAttributeAlreadyExists(f"Custom attribute {definition.name!r} already exists") from exc
        return await custom_attributes_store.list_for(tx, project.id)


def _definition(project_id: str, attribute: NewAttribute, now_ms: int) -> CustomAttributeDefinition:
    name = attribute.name.strip()
    if not name:
        raise MissingArgument("Missing field: attributes.name")
    if attribute.type.selects and not attribute.options:
        raise InvalidArgument(f"Custom attribute {name!r} is a select: it needs options")
    if attribute.options and not attribute.type.selects:
        raise InvalidArgument(f"Custom attribute {name!r} takes no options: only selects do")
    return CustomAttributeDefinition(
        project_id=project_id,
        name=name,
        type=attribute.type,
        display_name=attribute.display_name or name,
        options=attribute.options,
        required=attribute.required,
        created_at_ms=now_ms,
    )


async def remove(ctx: AuthContext, project: Project, names: Sequence[str]) -> list[CustomAttributeDefinition]:
    """Delete the named definitions (unknown names are skipped); the definitions left. Values
    users already carry stay (see the module docstring)."""
    if not names:
        raise MissingArgument("At least one attribute name is required")
    async with ctx.db.transaction() as tx:
        await custom_attributes_store.delete(tx, project.id, names)
        return await custom_attributes_store.list_for(tx, project.id)


async def check_values(tx: Transaction, project_id: str, values: dict[str, Any]) -> None:
    """Refuse (``InvalidArgument``) a value the project's definitions do not allow: an
    undefined attribute, or a value not of its attribute's type. No definitions: anything goes."""
    if not values:
        return
    defined = {definition.name: definition for definition in await custom_attributes_store.list_for(tx, project_id)}
    if not defined:
        return
    for name, value in values.items():
        definition = defined.get(name)
        if definition is None:
            raise InvalidArgument(f"Unknown custom attribute {name[:100]!r}: define it first")
        if value is not None and not _fits(definition, value):
            raise InvalidArgument(f"Custom attribute {name!r} takes a {_KINDS[definition.type]}")


_KINDS = {
    AttributeType.STRING: "string",
    AttributeType.NUMBER: "number",
    AttributeType.BOOLEAN: "boolean",
    AttributeType.SINGLE_SELECT: "value among its options",
    AttributeType.MULTI_SELECT: "list of values among its options",
    AttributeType.DATE: "date (unix milliseconds or an ISO 8601 date)",
    AttributeType.MONTH_DAY: "month and day (MM-DD)",
}


def _fits(definition: CustomAttributeDefinition, value: Any) -> bool:
    """Whether ``value`` (not ``None``) is of the definition's type."""
    kind = definition.type
    choices = {option.value for option in definition.options}
    if kind is AttributeType.STRING:
        return isinstance(value, str)
    if kind is AttributeType.NUMBER:
        return _is_number(value)
    if kind is AttributeType.BOOLEAN:
        return isinstance(value, bool)
    if kind is AttributeType.SINGLE_SELECT:
        return isinstance(value, str) and value in choices
    if kind is AttributeType.MULTI_SELECT:
        return isinstance(value, list) and all(isinstance(item, str) and item in choices for item in value)
    if kind is AttributeType.DATE:
        return _is_number(value) or (isinstance(value, str) and _is_iso_date(value))
    return isinstance(value, str) and _MONTH_DAY.match(value) is not None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_iso_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
