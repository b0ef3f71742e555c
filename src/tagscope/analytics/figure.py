"""A figure: a table with the query that produced it, so every number can be explained.

Every analytic returns a Figure; the CLI, the Python API, the report and the dashboard only render
Figures, never compute numbers of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


@dataclass
class Figure:
    """Result of one analytic.

    - ``name``: the analytic (``count``, ``trend``...);
    - ``table``: the rows (Arrow; ``.to_pandas()`` / ``polars.from_arrow`` for dataframes);
    - ``queries``: every SQL statement run to produce it, exactly as run, with its parameters;
    - ``rule``: the counting rule in words (printed under tables, in the report and by --explain);
    - ``data``: the JSON payload of `--json` (the shapes promised in the docs);
    - ``meta``: anything else a front end may show (caveats, parameters);
    - ``raw``: the rows with raw values (numbers, ISO 8601 UTC times) when ``table`` holds text
      formatted for people (velocity), so CSV stays machine-readable; None: ``table`` is raw.
    """

    name: str
    table: pa.Table
    data: dict[str, Any]
    queries: list[tuple[str, list[Any]]] = field(default_factory=list)
    rule: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    raw: pa.Table | None = None

    def explain(self) -> str:
        """The exact statements behind the figure, parameters inlined as comments."""
        parts = []
        for sql, params in self.queries:
            parts.append(sql.strip() + (f"\n-- parameters: {params!r}" if params else ""))
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        return self.data

    def to_pandas(self) -> Any:
        return self.table.to_pandas()
