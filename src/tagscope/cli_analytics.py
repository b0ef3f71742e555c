"""Analytics commands: count, trend, origin, velocity, notables, audience, cotags, links, variants, network.

Each command is a thin wrapper: it calls one analytic and renders its Figure as a Rich table
(default), one JSON object (--json), CSV (--csv), and with --explain the exact SQL that ran.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from . import analytics
from .analytics import rules
from .analytics.figure import Figure
from .cli import StoreOpt, app, console, emit_json, existing_store, fail, out

CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the table as CSV on stdout.")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Also print the exact SQL run, with its parameters.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="From this time on (ISO 8601; a bare date is midnight).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Before this time (half-open window).")]
TzOpt = Annotated[str | None, typer.Option("--tz", help="IANA time zone for bare dates and local buckets (default UTC).")]
NoRepostsOpt = Annotated[bool, typer.Option("--no-reposts", help="Leave reposts out (they count by default).")]
PlatformOpt = Annotated[str | None, typer.Option("--platform", help="Only posts from this platform.")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows to show.")]
TagArg = Annotated[str, typer.Argument(help="Hashtag, with or without '#' (matching ignores case).")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="Keep posts with this classifier label, e.g. stance=against (repeatable; != negates)."),
]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2%}" if 0 <= value <= 1 else f"{value:,.1f}"
    if isinstance(value, datetime):
        return rules.iso(value) or "-"
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: times ISO 8601 UTC, lists joined with '|', numbers left as numbers.

    Text starting with = + - @ tab or CR gets a leading ' (OWASP): cells hold untrusted display names,
    texts and URLs, and Excel or LibreOffice would run '=HYPERLINK(...)' as a formula.
    """
    if isinstance(value, datetime):
        return rules.iso(value)
    if isinstance(value, list):
        value = "|".join(map(str, value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(columns: list[str], rows: list[dict[str, Any]], stream: TextIO) -> None:
    """Write ROWS as CSV through csv_cell, the one CSV writer of the CLI, lines ending in \\n.

    The writer ends rows with \\r\\n only so that it quotes a cell holding a lone CR (with \\n it left
    it bare, and readers split the row there: a new row whose first cell escaped csv_cell).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for cells in [columns, *([row[c] for c in columns] for row in rows)]:
        writer.writerow([csv_cell(v) for v in cells])
        stream.write(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()


def show(fig: Figure, *, as_json: bool, as_csv: bool, explain: bool, title: str, note: str | None = None) -> None:
    """Render FIG the way the options ask; every analytics command ends here."""
    if as_json:
        data = dict(fig.data)
        if explain:
            data["queries"] = [{"sql": sql.strip(), "params": params} for sql, params in fig.queries]
            data["rule"] = fig.rule
        emit_json(data)
        return
    if as_csv:
        rows = fig.table if fig.raw is None else fig.raw  # raw values, not the table's prose
        write_csv(rows.column_names, rows.to_pylist(), sys.stdout)
        if explain:
            console.print(fig.explain(), markup=False, highlight=False)
        return
    # Cells, titles and notes are data (display names such as "Jane [she/her]", URLs, paths), not
    # Rich markup: unescaped, "[she/her]" vanished and "[/]" crashed the command with a MarkupError.
    table = Table(title=escape(title))
    rows = fig.table.to_pylist()
    for name in fig.table.column_names:
        numeric = bool(rows) and all(isinstance(r[name], int | float) and not isinstance(r[name], bool) for r in rows if r[name] is not None)
        table.add_column(name.replace("_", " "), justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*(escape(_cell(r[c])) for c in fig.table.column_names))
    out.print(table)
    if note:
        out.print(escape(note), highlight=False)
    out.print(f"[dim]{escape(fig.rule)}[/dim]", highlight=False)
    if explain:
        out.print(Syntax(fig.explain(), "sql", word_wrap=True))


def _run(fn: Any, store: Path | None, *args: Any, **kwargs: Any) -> Figure:
    st = existing_store(store)
    try:
        return fn(st, *args, **kwargs)
    except ValueError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@app.command()
def count(
    tag: TagArg, store: StoreOpt = None, since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None, where: WhereOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Count posts using a tag (reposts included unless --no-reposts)."""
    fig = _run(analytics.count, store, tag, since=since, until=until, tz=tz, no_reposts=no_reposts, platform=platform,
               where=where or None)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Posts using #{fig.data['hashtag']}")


@app.command()
def trend(
    tags: Annotated[list[str], typer.Argument(help="One or more hashtags (several = a comparison).")],
    store: StoreOpt = None,
    every: Annotated[str, typer.Option("--every", help="minute, hour, day or week.")] = "day",
    cumulative: Annotated[bool, typer.Option("--cumulative", help="Running totals.")] = False,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None, where: WhereOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="One series per label of this classifier, e.g. stance.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Show uses of tags per time bucket on one axis, empty buckets as zero."""
    fig = _run(analytics.trend, store, tags, every=every, cumulative=cumulative, since=since, until=until, tz=tz,
               no_reposts=no_reposts, platform=platform, where=where or None, by=by)
    zone = fig.data["tz"]
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain,
         title=f"Posts per {every} ({zone} buckets, starts in UTC): " + ", ".join("#" + t for t in fig.meta["hashtags"]))


@app.command()
def origin(
    tag: TagArg, store: StoreOpt = None,
    first: Annotated[int, typer.Option("--first", min=1, help="How many earliest posts.")] = 10,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """List the earliest posts using a tag, with author and time."""
    fig = _run(analytics.origin, store, tag, first=first, no_reposts=no_reposts, platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"First posts using #{fig.data['hashtag']}",
         note=fig.meta["caveat"])


@app.command()
def velocity(
    tag: TagArg, store: StoreOpt = None,
    every: Annotated[str, typer.Option("--every", help="Bucket for peak, burst and half-life.")] = "hour",
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Measure how fast a tag spread: milestones, peak, burst, half-life."""
    fig = _run(analytics.velocity, store, tag, every=every, since=since, until=until, tz=tz, no_reposts=no_reposts,
               platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Velocity of #{fig.data['hashtag']}")


@app.command()
def notables(
    tag: TagArg, store: StoreOpt = None,
    by: Annotated[str, typer.Option("--by", help="followers, reach or engagement.")] = "followers",
    top: TopOpt = 20,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Rank the accounts that used a tag by followers, reach or engagement."""
    fig = _run(analytics.notables, store, tag, by=by, top=top, since=since, until=until, tz=tz, no_reposts=no_reposts,
               platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Accounts using #{fig.data['hashtag']}, by {by}")


@app.command()
def audience(
    tag: TagArg, store: StoreOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Group the accounts using a tag by the pronouns declared in their bio."""
    fig = _run(analytics.audience, store, tag, since=since, until=until, tz=tz, no_reposts=no_reposts, platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain,
         title=f"{fig.data['authors']:,} accounts using #{fig.data['hashtag']}, by declared pronouns")


@app.command()
def cotags(
    tag: TagArg, store: StoreOpt = None, top: TopOpt = 20,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """List the hashtags used together with a tag, most used first."""
    fig = _run(analytics.cotags, store, tag, top=top, since=since, until=until, tz=tz, no_reposts=no_reposts, platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Hashtags used with #{fig.data['hashtag']}")


@app.command()
def links(
    tag: TagArg, store: StoreOpt = None, top: TopOpt = 20,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """List the URLs and domains shared in posts using a tag."""
    fig = _run(analytics.links, store, tag, top=top, since=since, until=until, tz=tz, no_reposts=no_reposts, platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Links shared with #{fig.data['hashtag']}")


@app.command()
def variants(
    tag: TagArg, store: StoreOpt = None,
    max_distance: Annotated[int | None, typer.Option("--max-distance", min=0, help="Edits allowed for near misses.")] = None,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None,
    no_reposts: NoRepostsOpt = False, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Show how a tag was spelled and the near-miss tags beside it."""
    fig = _run(analytics.variants, store, tag, max_distance=max_distance, since=since, until=until, tz=tz,
               no_reposts=no_reposts, platform=platform)
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"Spellings and near misses of #{fig.data['hashtag']}")


@app.command()
def network(
    tag: TagArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .gexf or .graphml.")],
    store: StoreOpt = None,
    kind: Annotated[str, typer.Option("--kind", help="retweet, mention or cohashtag.")] = "retweet",
    min_degree: Annotated[int, typer.Option("--min-degree", min=0, help="Keep nodes with at least K neighbours.")] = 0,
    since: SinceOpt = None, until: UntilOpt = None, tz: TzOpt = None, platform: PlatformOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    as_csv: CsvOpt = False, explain: ExplainOpt = False,
) -> None:
    """Write the retweet, mention or co-hashtag network of a tag as GEXF or GraphML."""
    fig = _run(analytics.network, store, tag, kind=kind, min_degree=min_degree, output=output, since=since, until=until,
               tz=tz, platform=platform)
    d = fig.data
    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=f"{kind.title()} network of #{d['hashtag']}",
         note=f"Wrote {d['nodes']:,} nodes and {d['edges']:,} edges to {d['file']}.")
