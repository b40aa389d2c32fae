"""``/openapi.json`` describes the same operations with the same schemas as the reviewed
snapshot ``tests/fixtures/openapi.json`` (first the document FastAPI generated before the
web layer was rebuilt). A change to the wire contract shows here; when it is meant,
``python -m tests.web.test_openapi_fixture`` writes the new snapshot, and its diff is
reviewed with the change.

Schemas are compared with every ``$ref`` replaced by what it names, so how components are
named may change but no operation's parameters, body or answers may. ``title`` keywords
are left out: FastAPI derived them from Python function names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from passgate.web.app import openapi_document

FIXTURE = Path(__file__).parents[1] / "fixtures" / "openapi.json"


def resolved(node: Any, components: dict[str, Any]) -> Any:
    """``node`` with each ``$ref`` replaced by its component, and without titles."""
    if isinstance(node, dict):
        if "$ref" in node:
            return resolved(components[node["$ref"].rsplit("/", 1)[-1]], components)
        return {key: resolved(value, components) for key, value in node.items() if key != "title"}
    if isinstance(node, list):
        return [resolved(item, components) for item in node]
    return node


def operations(document: dict[str, Any]) -> dict[tuple[str, str], Any]:
    components = document["components"]["schemas"]
    return {
        (path, method): resolved(operation, components)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


BEFORE = operations(json.loads(FIXTURE.read_text()))
AFTER = operations(openapi_document())


def test_the_same_operations_are_documented() -> None:
    assert sorted(AFTER) == sorted(BEFORE)


@pytest.mark.parametrize("key", sorted(BEFORE), ids=[f"{method} {path}" for path, method in sorted(BEFORE)])
def test_each_operation_is_described_as_before(key: tuple[str, str]) -> None:
    assert AFTER.get(key) == BEFORE[key]


def test_security_scheme_is_unchanged() -> None:
    before = json.loads(FIXTURE.read_text())["components"]["securitySchemes"]
    assert openapi_document()["components"]["securitySchemes"] == before


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(openapi_document(), indent=1, sort_keys=True) + "\n")
