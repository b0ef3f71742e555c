"""A Figure in the terminal: a Rich table (default), one JSON object (--json) or CSV (--csv).

The values are written by :mod:`tagscope.analytics.display`, the same text the report and the
dashboard show; the JSON is the API's.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from rich.console import JustifyMethod
from rich.markup import escape
from rich.measure import Measurement
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ..analytics.display import is_number, payload, text, write_figure_csv
from ..analytics.figure import Figure
from ..analytics.registry import Analytic
from .common import console, emit_json, out


def show(spec: Analytic, fig: Figure, *, as_json: bool, as_csv: bool, explain: bool) -> None:
    """Render FIG the way the options ask; every analytics command ends here."""
    if as_json:
        emit_json(payload(fig, explain))
        return
    if as_csv:
        write_figure_csv(fig, sys.stdout)
        if explain:
            console.print(fig.explain(), markup=False, highlight=False)
        return
    out.print(table(spec, fig, out.width))
    note = spec.note(fig) if spec.note else fig.meta.get("caveat")
    if note:
        out.print(escape(note), highlight=False)
    out.print(f"[dim]{escape(fig.rule)}[/dim]", highlight=False)
    if explain:
        out.print(Syntax(fig.explain(), "sql", word_wrap=True))


def table(spec: Analytic, fig: Figure, width: int | None = None) -> Table:
    """The figure's rows as a table: every column, or the analytic's ``columns`` (a heading per format).

    Cells, titles and notes are data (display names such as "Jane [she/her]", URLs, paths), not Rich
    markup: they are escaped. A cut value reads as another one, so no cell is ellipsised: text folds
    onto more lines, and columns of numbers and times are never narrower than their longest value;
    when the table is wider than WIDTH (the terminal's), their headings wrap to make room."""
    rows = fig.table.to_pylist()
    if spec.columns:
        lines = [{k: text(v, k) for k, v in r.items()} for r in rows]
        cells = [[escape(fmt.format(**line)) for fmt in spec.columns.values()] for line in lines]
        fields = [fmt[1:-1] if fmt.startswith("{") and fmt.endswith("}") and fmt.count("{") == 1 else ""
                  for fmt in spec.columns.values()]
        columns = [(heading, bool(f) and whole(rows, f), "left") for heading, f in zip(spec.columns, fields, strict=True)]
    else:
        cells = [[escape(text(r[c], c)) for c in fig.table.column_names] for r in rows]
        columns = [(name.replace("_", " "), whole(rows, name),
                    "right" if rows and all(is_number(r[name]) for r in rows if r[name] is not None) else "left")
                   for name in fig.table.column_names]
    result = build(escape(spec.title_of(fig)), columns, cells, narrow=False)
    if width is not None and Measurement.get(out, out.options.update_width(10_000), result).maximum > width:
        result = build(escape(spec.title_of(fig)), columns, cells, narrow=True)
    return result


def whole(rows: list[dict[str, Any]], name: str) -> bool:
    """Whether column NAME holds only numbers and times: short values that must be shown whole."""
    values = [r[name] for r in rows if r.get(name) is not None]
    return bool(values) and all(is_number(v) or isinstance(v, datetime) for v in values)


def build(title: str, columns: list[tuple[str, bool, JustifyMethod]], cells: list[list[str]], *, narrow: bool) -> Table:
    """The table of CELLS. Text columns fold what does not fit; a whole column never wraps its cells
    (Rich would otherwise squeeze it with the text columns); NARROW makes it only as wide as its
    longest cell or heading word, its heading wrapping inside."""
    result = Table(title=title)
    for i, (heading, keep, justify) in enumerate(columns):
        if not keep:
            result.add_column(heading, justify=justify, overflow="fold")
            continue
        longest = max(len(c) for c in [*(row[i] for row in cells), *(heading.split() if narrow else [heading])])
        result.add_column(Text(heading, no_wrap=False, overflow="fold"), justify=justify, overflow="fold",
                          no_wrap=True, max_width=longest)
    for row in cells:
        result.add_row(*row)
    return result
