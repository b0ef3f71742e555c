"""A Figure in the terminal: a Rich table (default), one JSON object (--json) or CSV (--csv).

The values are written by :mod:`tagscope.analytics.display`, the same text the report and the
dashboard show; the JSON is the API's.
"""

from __future__ import annotations

import sys

from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

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
    out.print(table(spec, fig))
    note = spec.note(fig) if spec.note else fig.meta.get("caveat")
    if note:
        out.print(escape(note), highlight=False)
    out.print(f"[dim]{escape(fig.rule)}[/dim]", highlight=False)
    if explain:
        out.print(Syntax(fig.explain(), "sql", word_wrap=True))


def table(spec: Analytic, fig: Figure) -> Table:
    """The figure's rows as a table: every column, or the analytic's ``columns`` (a heading per format).

    Cells, titles and notes are data (display names such as "Jane [she/her]", URLs, paths), not Rich
    markup: they are escaped."""
    result = Table(title=escape(spec.title_of(fig)))
    rows = fig.table.to_pylist()
    if spec.columns:
        for heading in spec.columns:
            result.add_column(heading)
        for r in rows:
            cells = {k: text(v, k) for k, v in r.items()}
            result.add_row(*(escape(fmt.format(**cells)) for fmt in spec.columns.values()))
        return result
    for name in fig.table.column_names:
        numeric = bool(rows) and all(is_number(r[name]) for r in rows if r[name] is not None)
        result.add_column(name.replace("_", " "), justify="right" if numeric else "left")
    for r in rows:
        result.add_row(*(escape(text(r[c], c)) for c in fig.table.column_names))
    return result
