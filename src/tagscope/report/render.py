"""Figure -> HTML fragments (tables, charts), shared by the report and the dashboard.

Everything that comes from the data is escaped here (post text, handles, URLs); templates receive
``Markup`` only from these functions.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import Any

from markupsafe import Markup

from ..analytics.display import text as as_text
from ..analytics.figure import Figure
from ..times import to_utc
from .pseudonym import Pseudonymiser
from .svg import Marker, bar_chart, fmt_num, line_chart

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z?$")
ROUND_NUMBERS = (1_000, 10_000, 100_000, 1_000_000, 10_000_000)
LABEL_KEYS = ("hashtag", "author", "url", "domain", "variant", "tag", "pronouns", "group", "label", "name")
VALUE_KEYS = ("count", "posts", "uses", "authors", "followers", "n", "share")


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (with or without Z), a date or a datetime as naive UTC; None for anything else (a chart
    leaves out a bucket it cannot place)."""
    try:
        return to_utc(value)
    except (TypeError, ValueError):
        return None


def trend_series(fig: Figure, value_key: str = "count") -> dict[str, list[tuple[datetime, float]]]:
    """{hashtag: [(bucket, count)]} from a trend Figure's JSON."""
    series: dict[str, list[tuple[datetime, float]]] = {}
    for row in fig.data.get("series", []):
        t = parse_time(row.get("bucket"))
        if t is None:
            continue
        name = str(row.get("hashtag") or row.get("query") or row.get("series") or "")
        v = row.get(value_key, row.get("cumulative", row.get("count", 0))) or 0
        series.setdefault(name, []).append((t, float(v)))
    for pts in series.values():
        pts.sort()
    return series


def crossing_markers(cumulative: list[tuple[datetime, float]], numbers: Iterable[int] = ROUND_NUMBERS) -> list[Marker]:
    """Where a cumulative series first reaches each round number (to the bucket)."""
    markers = []
    for n in numbers:
        hit = next((t for t, v in cumulative if v >= n), None)
        if hit is not None:
            markers.append(Marker(hit, f"{fmt_num(n)} uses"))
    return markers


def figure_rows(fig: Figure) -> list[dict[str, Any]]:
    """The rows a front end lists: the first list of objects in the JSON, else the table."""
    for value in fig.data.values():
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            return list(value)
    return fig.table.to_pylist() if fig.table.num_columns else []


def data_tables(fig: Figure) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every list of objects in the figure's JSON (e.g. links: urls and domains), by key."""
    return [(k, list(v)) for k, v in fig.data.items()
            if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]


def milestone_markers(fig: Figure) -> list[Marker]:
    """Markers from a velocity Figure's milestones (exact times), if it has them."""
    out = []
    for m in fig.data.get("milestones") or []:
        t = parse_time(m.get("reached_at")) if isinstance(m, dict) else None
        if t is not None and m.get("uses"):
            out.append(Marker(t, f"{fmt_num(int(m['uses']))} uses"))
    return out


def bar_rows(rows: list[dict[str, Any]], limit: int = 15) -> list[tuple[str, float]]:
    """(label, value) pairs for a bar chart, or [] when rows have no label/number pair."""
    if not rows:
        return []
    keys = list(rows[0])
    label = next((k for k in LABEL_KEYS if k in keys), None) or next(
        (k for k in keys if isinstance(rows[0][k], str)), None
    )
    numeric = [k for k in keys if all(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool) for r in rows)]
    # The measure the rows are ranked by (non-increasing) is the one to draw; else a usual name.
    ranked = [k for k in numeric if all(a[k] >= b[k] for a, b in itertools.pairwise(rows))]
    value = next(iter(ranked), None) or next((k for k in VALUE_KEYS if k in numeric), None) or next(iter(numeric), None)
    if label is None or value is None:
        return []
    return [(str(r.get(label)), float(r.get(value) or 0)) for r in rows[:limit]]


def cell(value: Any, column: str = "") -> str:
    """One escaped table cell; numbers read as in the terminal (:func:`tagscope.analytics.display.text`)."""
    if value is None:
        return '<span class="null">–</span>'
    if isinstance(value, bool | int | float):
        return as_text(value, column)
    if isinstance(value, datetime):
        return escape(value.isoformat(sep=" ", timespec="seconds"))
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return escape(", ".join(f"{k}: {v}" for k, v in value.items()))
    text = str(value)
    if ISO_TIME.match(text):  # "2014-05-24T20:13:07Z" -> "2014-05-24 20:13:07" (UTC, as the page says)
        text = text.replace("T", " ").removesuffix("Z").removesuffix(".000").removesuffix(" 00:00:00")
    return escape(text)


def table_html(
    rows: list[dict[str, Any]],
    *,
    table_id: str,
    limit: int = 25,
    pseudo: Pseudonymiser | None = None,
    link: Callable[[dict[str, Any]], str | None] | None = None,
) -> Markup:
    """A plain HTML table; numbers right-aligned with thousands separators."""
    if not rows:
        return Markup(f'<p class="empty" id="{escape(table_id)}">No rows.</p>')
    shown = [pseudo.row(r) if pseudo else r for r in rows[:limit]]
    cols = list(shown[0])
    hrefs = [link(r) if link else None for r in shown]
    numeric = {c for c in cols if any(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool) for r in shown)}
    num_cls = ' class="num"'
    head = "".join(f"<th{num_cls if c in numeric else ''}>{escape(c.replace('_', ' '))}</th>" for c in cols)
    body = []
    for r, href in zip(shown, hrefs, strict=True):
        cells = []
        for c in cols:
            v = r.get(c)
            cls = ' class="num"' if isinstance(v, int | float) and not isinstance(v, bool) else ""
            if not cls and (c == "id" or c.endswith("_id")):  # ids (19 digits) read whole, never wrapped
                cls = ' class="id"'
            cells.append(f"<td{cls}>{cell(v, c)}</td>")
        if any(hrefs):
            cells.append(f'<td><a href="{escape(href)}">view</a></td>' if href else "<td></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    extra = "<th></th>" if any(hrefs) else ""
    more = f'<p class="more">Showing {len(shown):,} of {len(rows):,} rows.</p>' if len(rows) > limit else ""
    return Markup(
        f'<table class="data" id="{escape(table_id)}"><thead><tr>{head}{extra}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{more}"
    )


def trend_chart(
    fig: Figure, *, chart_id: str, title: str, cumulative: bool = False, markers: list[Marker] | None = None
) -> Markup:
    """A trend Figure as a line chart; a cumulative one marks round-number crossings.

    ``markers`` (exact times, from the velocity analytic) win; otherwise the crossings are read off
    the cumulative series, to the bucket.
    """
    series = trend_series(fig)
    if cumulative and series and not markers:
        markers = crossing_markers(next(iter(series.values())))
    # Series named by "series" (places, ...) are not hashtags: no '#' before their names.
    named = any("series" in row and "hashtag" not in row for row in fig.data.get("series", []))
    y_label = "total uses" if cumulative else "posts per bucket" if named else "uses per bucket"
    return Markup(
        line_chart(series, chart_id=chart_id, title=title, y_label=y_label, markers=markers or [],
                   legend_prefix="" if named else "#")
    )


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """Escape ``text`` and wrap each case-insensitive occurrence of a term in <mark>."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def query_terms(query: str) -> list[str]:
    """The words of a search query worth highlighting (operators and syntax dropped)."""
    terms = []
    for tok in re.findall(r'"[^"]*"|\S+', query):
        tok = tok.strip('"()').rstrip("*")
        if tok and tok.upper() not in ("AND", "OR", "NOT") and not tok.startswith("-"):
            terms.append(tok)
        elif tok.startswith("-"):
            continue
    return terms


def highlight_spans(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """Escape ``text`` and wrap the given [start, end) character spans in <mark>."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or end <= start:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def share_series(rows: list[dict[str, Any]]) -> dict[str, list[tuple[datetime, float]]]:
    """{measure: [(bucket, percent)]} from per-bucket rows holding ``*_share`` fractions."""
    series: dict[str, list[tuple[datetime, float]]] = {}
    for r in rows:
        t = parse_time(r.get("bucket"))
        if t is None:
            continue
        for k, v in r.items():
            if k.endswith("_share") and isinstance(v, int | float):
                series.setdefault(k.removesuffix("_share"), []).append((t, 100.0 * v))
    return series


def _shares(fig: Figure, name: str, rows: list[dict[str, Any]]) -> dict[str, list[tuple[datetime, float]]]:
    shares = share_series(rows)
    if name == "backlash" and not fig.data.get("counter"):
        shares.pop("counter", None)  # no counter-hashtags given: its share is 0 by construction, not a finding
    return shares


def figure_body(
    fig: Figure,
    *,
    name: str,
    title: str,
    pseudo: Pseudonymiser | None = None,
    link: Callable[[dict[str, Any]], str | None] | None = None,
    limit: int = 25,
) -> Markup:
    """Any Figure drawn the same way everywhere: its chart(s), then its table(s)."""
    body = Markup("")
    tables = data_tables(fig)
    if pseudo is not None:  # once, before charts and tables, so bar labels are pseudonymised too
        tables = [(k, [pseudo.row(r) for r in rows]) for k, rows in tables]
    if fig.data.get("series"):
        body += trend_chart(fig, chart_id=f"chart-{name}", title=title)
    elif tables and (shares := _shares(fig, name, tables[0][1])):
        body += Markup(line_chart({f"{k} share": v for k, v in shares.items()}, chart_id=f"chart-{name}", title=title,
                                  y_label="% of posts" if len(shares) > 1 else f"% of posts: {next(iter(shares))} share",
                                  legend_prefix=""))
    elif tables and name not in ("velocity", "backlash"):  # milestones and bursts; shares with no labels: tables, not bars
        rows = bar_rows(tables[0][1])
        if rows:
            body += Markup(bar_chart(rows, chart_id=f"chart-{name}", title=title))
    lists = [k for k, v in fig.data.items() if isinstance(v, list) and k != "series"]
    if lists and not tables and not fig.data.get("series"):
        return Markup(f'<p class="empty" id="table-{escape(name)}">Nothing to show for this tag in this range.</p>')
    if not tables or name == "velocity":
        rows = fig.table.to_pylist() if fig.table.num_columns and fig.table.num_rows < 200 else []
        flat = [{k: v for k, v in fig.data.items() if not isinstance(v, dict | list)}]
        body += table_html(rows or [{"measure": k.replace("_", " "), "value": v} for k, v in flat[0].items()],
                           table_id=f"table-{name}", limit=limit, pseudo=pseudo, link=link)
        tables = [(k, v) for k, v in tables if k != "series"] if name == "velocity" else []
    for i, (key, rows) in enumerate(tables):
        if key == "series":
            continue
        if len(tables) > 1 or name == "velocity":
            body += Markup(f"<h3>{escape(key.replace('_', ' ').capitalize())}</h3>")
        tid = f"table-{name}" if i == 0 and name != "velocity" else f"table-{name}-{key}"
        body += table_html(rows, table_id=tid, limit=limit, link=link)
    return body
