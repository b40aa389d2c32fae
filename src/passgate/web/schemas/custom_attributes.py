"""Wire shapes of the custom attributes a project defines for its users
(``client.mgmt.user.create_custom_attribute``, ``delete_custom_attribute``,
``load_custom_attributes``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from passgate.errors import InvalidArgument
from passgate.mgmt.custom_attributes import NewAttribute
from passgate.models.custom_attributes import AttributeOption, AttributeType, CustomAttributeDefinition
from passgate.web.schemas.base import Request

AttributeName = Annotated[str, StringConstraints(max_length=100)]
OptionText = Annotated[str, StringConstraints(max_length=200)]

# Names the Python SDK documents for ``type`` ("string", "number", "boolean"), and the
# others spelled alike; Descope's API itself sends the numbers.
_TYPE_NAMES = {
    "string": AttributeType.STRING,
    "text": AttributeType.STRING,
    "number": AttributeType.NUMBER,
    "numeric": AttributeType.NUMBER,
    "boolean": AttributeType.BOOLEAN,
    "bool": AttributeType.BOOLEAN,
    "singleselect": AttributeType.SINGLE_SELECT,
    "multiselect": AttributeType.MULTI_SELECT,
    "date": AttributeType.DATE,
    "monthday": AttributeType.MONTH_DAY,
    "monthandday": AttributeType.MONTH_DAY,
}


def attribute_type(given: int | str | None) -> AttributeType:
    """The type a request names by number (1-7) or by name (any case, spaces, ``-`` or ``_``)."""
    if given is None:
        return AttributeType.STRING  # Descope's default, and what a typeless attribute holds
    if isinstance(given, int):
        try:
            return AttributeType(given)
        except ValueError:
            raise InvalidArgument(f"Unknown custom attribute type {given}; use 1 to 7") from None
    found = _TYPE_NAMES.get("".join(given.lower().replace("-", " ").replace("_", " ").split()))
    if found is None:
        raise InvalidArgument(f"Unknown custom attribute type {given[:32]!r}; use one of {', '.join(_TYPE_NAMES)}")
    return found


class AttributeOptionIn(Request):
    value: OptionText | None = None
    label: OptionText | None = None


class CustomAttributeIn(Request):
    name: AttributeName | None = None
    displayName: str | None = Field(default=None, max_length=200)
    type: StrictInt | Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None, description="1 string, 2 number, 3 boolean, 4 single select, 5 multi select, 6 date, 7 month-day"
    )
    options: list[OptionText | AttributeOptionIn] | None = Field(
        default=None, max_length=100, description="For selects: values (Python SDK) or {value, label} (Descope's API)."
    )
    required: bool | None = None

    def to_new(self) -> NewAttribute:
        return NewAttribute(
            name=self.name or "",
            type=attribute_type(self.type),
            display_name=self.displayName or "",
            options=tuple(_option(option) for option in self.options or ()),
            required=bool(self.required),
        )


def _option(given: str | AttributeOptionIn) -> AttributeOption:
    if isinstance(given, str):
        return AttributeOption(value=given, label=given)
    value = given.value or given.label or ""
    if not value:
        raise InvalidArgument("An option needs a value")
    return AttributeOption(value=value, label=given.label or value)


class CreateAttributesRequest(Request):
    attributes: list[CustomAttributeIn] | None = Field(default=None, max_length=100)

    def to_new(self) -> list[NewAttribute]:
        return [attribute.to_new() for attribute in self.attributes or ()]


class DeleteAttributesRequest(Request):
    names: list[AttributeName] | None = Field(default=None, max_length=100)


class AttributeOptionOut(BaseModel):
    value: str
    label: str


class CustomAttributeOut(BaseModel):
    name: str
    displayName: str
    type: int
    options: list[AttributeOptionOut]
    required: bool

    @classmethod
    def of(cls, definition: CustomAttributeDefinition) -> CustomAttributeOut:
        return cls(
            name=definition.name,
            displayName=definition.display_name,
            type=int(definition.type),
            options=[AttributeOptionOut(value=option.value, label=option.label) for option in definition.options],
            required=definition.required,
        )


class CustomAttributesResponse(BaseModel):
    """Every definition of the project (Descope answers them under ``data``)."""

    data: list[CustomAttributeOut]

    @classmethod
    def of(cls, definitions: list[CustomAttributeDefinition]) -> CustomAttributesResponse:
        return cls(data=[CustomAttributeOut.of(definition) for definition in definitions])
