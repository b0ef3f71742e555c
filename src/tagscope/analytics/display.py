"""A Figure as people and programs read it, the same in the terminal, the API, the report and the dashboard.

- :func:`payload`: the JSON object (``--json``, ``/api/<name>``), with ``queries`` and ``rule`` when explained;
- :func:`text`: one value as text: integers with thousands separators, shares as percentages,
  other fractions to three places, times in ISO 8601 UTC;
- :func:`csv_cell` and :func:`write_csv`: the CSV of ``--csv``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, TextIO

from .figure import Figure
from .rules import iso

# Columns holding a fraction of a whole (a share, a rate and its interval bounds): shown as percentages.
FRACTIONS = ("share", "rate", "low", "high")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def payload(fig: Figure, explain: bool = False) -> dict[str, Any]:
    """The figure's JSON; with EXPLAIN, also ``queries`` (each statement as run, with parameters) and ``rule``."""
    data = dict(fig.data)
    if explain:
        data["queries"] = [{"sql": sql.strip(), "params": params} for sql, params in fig.queries]
        data["rule"] = fig.rule
    return data


def is_fraction(column: str) -> bool:
    return column in FRACTIONS or column.endswith(tuple("_" + f for f in FRACTIONS))


def text(value: Any, column: str = "") -> str:
    """VALUE as text for people; COLUMN says whether a number is a fraction."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if is_fraction(column) and 0 <= value <= 1:
            return f"{value:.2%}"
        return f"{value:.3f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, datetime):
        return iso(value) or "-"
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: times ISO 8601 UTC, lists joined with '|', numbers left as numbers.

    Text starting with = + - @ tab or CR gets a leading ' (OWASP): cells hold untrusted display names,
    texts and URLs, and Excel or LibreOffice would run '=HYPERLINK(...)' as a formula.
    """
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list):
        value = "|".join(map(str, value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(columns: list[str], rows: list[dict[str, Any]], stream: TextIO) -> None:
    """Write ROWS as CSV through csv_cell, lines ending in \\n.

    The writer ends rows with \\r\\n only so that it quotes a cell holding a lone CR (with \\n it leaves
    it bare, and readers split the row there: a new row whose first cell escaped csv_cell).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for cells in [columns, *([row[c] for c in columns] for row in rows)]:
        writer.writerow([csv_cell(v) for v in cells])
        stream.write(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()


def write_figure_csv(fig: Figure, stream: TextIO) -> None:
    """The figure's rows as CSV: raw values (numbers, ISO times), not the table's prose."""
    rows = fig.table if fig.raw is None else fig.raw
    write_csv(rows.column_names, rows.to_pylist(), stream)
