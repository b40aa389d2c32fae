"""What commands print: aligned tables for people, one JSON document with ``--json``.

Rows are plain mappings; the same rows become the JSON. Times in rows are unix seconds;
tables show the columns named in ``times`` as UTC dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

_GAP = "  "


def title(key: str) -> str:
    """A column heading from a row key: ``projectId`` → ``PROJECT ID``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").upper()


def cell(value: Any, *, is_time: bool = False) -> str:
    """One value as a table shows it."""
    if value is None or value == "":
        return "-"
    if is_time and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value) or "-"
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], times: Collection[str] = ()) -> str:
    """``rows`` as left-aligned columns under a heading line."""
    lines = [[title(key) for key in columns]]
    lines += [[cell(row.get(key), is_time=key in times) for key in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        _GAP.join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def fields(values: Mapping[str, Any], times: Collection[str] = ()) -> str:
    """One object as aligned ``key  value`` lines."""
    width = max((len(key) for key in values), default=0)
    return "\n".join(f"{key.ljust(width)}{_GAP}{cell(value, is_time=key in times)}" for key, value in values.items())


def show_rows(
    rows: Sequence[Mapping[str, Any]], *, as_json: bool, columns: Sequence[str], times: Collection[str] = ()
) -> None:
    """Print ``rows``: a JSON array, or a table of ``columns``."""
    print(json.dumps(list(rows)) if as_json else table(rows, columns, times))


def show_object(values: Mapping[str, Any], *, as_json: bool, times: Collection[str] = ()) -> None:
    """Print one object: a JSON object, or aligned key/value lines."""
    print(json.dumps(values) if as_json else fields(values, times))
