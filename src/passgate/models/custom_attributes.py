"""The custom attributes a project defines for its users (names, types, select options)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class AttributeType(IntEnum):
    """Descope's attribute types, by the numbers its API uses."""

    STRING = 1
    NUMBER = 2
    BOOLEAN = 3
    SINGLE_SELECT = 4
    MULTI_SELECT = 5
    DATE = 6
    MONTH_DAY = 7

    @property
    def selects(self) -> bool:
        """Whether values are chosen among the attribute's options."""
        return self in (AttributeType.SINGLE_SELECT, AttributeType.MULTI_SELECT)


@dataclass(frozen=True)
class AttributeOption:
    value: str
    label: str


@dataclass(frozen=True)
class CustomAttributeDefinition:
    """One attribute users of the project may carry (``required`` is kept and shown, not enforced)."""

    project_id: str
    name: str
    type: AttributeType
    display_name: str = ""
    options: tuple[AttributeOption, ...] = ()
    required: bool = False
    created_at_ms: int = 0
