"""Store commands: ingest, stats, quarantine, remap, forget."""

from __future__ import annotations

import warnings
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..formats.base import FormatWarning
from .common import app, console, emit_json, existing_store, fail, open_store, out, plural
from .options import JsonOpt, StoreOpt


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, .gz/.zst/.zip archives, or - for stdin.")],
    store: StoreOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a format instead of sniffing each file.")] = None,
    index: Annotated[bool, typer.Option("--index", help="Also bring the search index up to date now "
                                        "(otherwise the first search does it).")] = False,
    include_private: Annotated[bool, typer.Option(
        "--include-private", help="Also store Mastodon direct and followers-only statuses (kept out by default, "
        "counted as skipped).")] = False,
    map_file: Annotated[str | None, typer.Option(
        "--map", help="Read CSV or JSON-lines files with this mapping file (TOML or JSON: which column is "
        "the id, time, text, author...; see docs/formats.md, 'Mapped CSV and JSON lines').")] = None,
    platform: Annotated[str | None, typer.Option(
        "--platform", help="The platform of posts whose file does not name it (a 4CAT CSV of an unknown "
        "datasource, a --map file naming none).")] = None,
    as_json: JsonOpt = False,
    tz: Annotated[str | None, typer.Option("--tz", help="IANA time zone of times a file writes without one "
                                           "(Telegram Desktop's `date` when `date_unixtime` is absent); "
                                           "default UTC.")] = None,
) -> None:
    """Ingest posts into the store (formats are sniffed per file)."""
    from ..formats.exports import mapped, mapping

    checked = None
    if map_file is not None:
        if fmt not in (None, mapped.NAME):
            fail(f"--map reads files as the {mapped.NAME!r} format: leave out --format {fmt}")
        try:
            checked = mapping.load(map_file, platform)
        except mapping.MappingError as exc:
            fail(str(exc))
        problem = mapped.preflight(checked, paths)
        if problem:
            fail(problem)
        fmt = mapped.NAME
    st = open_store(store)
    last = [0]

    def progress(summary: Any) -> None:
        if not as_json and summary.records - last[0] >= 100_000:
            last[0] = summary.records
            console.print(f"read {summary.records:,} records", highlight=False)

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FormatWarning)
            summary = st.ingest(paths, fmt=fmt, progress=progress, index=index, include_private=include_private,
                                tz=tz, platform=platform, mapping=checked)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    for said in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, FormatWarning)):
        console.print(f"[yellow]warning:[/yellow] {escape(said)}", highlight=False)
    for w in caught:  # any other warning is shown as Python would have
        if not issubclass(w.category, FormatWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if as_json:
        emit_json(summary)
        return
    # File names and reasons are the user's text, not Rich markup.
    table = Table(title=escape(f"Ingested into {st.path}"))
    for col in ("file", "format", "records", "posts", "quarantined"):
        table.add_column(col, justify="right" if col in ("records", "posts", "quarantined") else "left")
    for f in summary["files"]:
        table.add_row(escape(f["file"]), f["format"] or "?", f"{f['records']:,}", f"{f['posts']:,}", f"{f['quarantined']:,}")
    out.print(table)
    out.print(
        f"Stored {plural(summary['ingested'], 'new post')}; {plural(summary['duplicates'], 'duplicate')} "
        f"({summary['updated']:,} added information); {plural(summary['deleted'], 'deletion')} recorded; "
        f"{plural(summary['quarantined'], 'record')} quarantined; {summary['seconds']:.1f} s.",
        highlight=False,
    )
    if summary["quarantined"]:
        out.print("See them with: tagscope quarantine", highlight=False)
    for reason, n in summary["skipped"].items():  # left out on purpose (privacy, exports): said, never silent
        out.print(f"Skipped {plural(n, 'post')}: {reason}.", highlight=False)
    if summary["reposts_unresolved"]:
        out.print(f"Unresolved reposts: {summary['reposts_unresolved']:,} (their subject is not in the store: "
                  "they count for no tag until it is ingested).", highlight=False)


@app.command()
def stats(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Summarise the store: posts, authors, platforms, time span, quarantine, deletions."""
    st = existing_store(store)
    s = st.stats()
    if as_json:
        emit_json(s)
        return
    table = Table(title=escape(f"Store {s['path']}"), show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("posts", "authors", "first_post", "last_post", "quarantined", "deleted", "edited"):
        v = s[key]
        table.add_row(key.replace("_", " "), f"{v:,}" if isinstance(v, int) else escape(str(v)))
    for key in ("removed", "reposts_unresolved", "handles"):  # only where a platform gives them
        if s[key]:
            table.add_row(key.replace("_", " "), f"{s[key]:,}")
    for p, n in s["platforms"].items():
        table.add_row(escape(f"platform {p}"), f"{n:,}")
    for p, n in s["formats"].items():
        table.add_row(escape(f"format {p}"), f"{n:,}")
    out.print(table)


@app.command()
def quarantine(
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option(min=0, help="Rows to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List quarantined records with file, line and reason."""
    st = existing_store(store)
    total = st.sql("SELECT count(*) AS n FROM quarantine").column(0)[0].as_py()
    rows = st.sql(
        "SELECT source_file, source_line, source_format, reason FROM quarantine ORDER BY source_file, source_line LIMIT ?",
        [limit],
    ).to_pylist()
    if as_json:
        emit_json({"total": total, "records": rows})
        return
    table = Table(title=plural(total, "quarantined record"))
    for col in ("file", "line", "format", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["source_file"]), str(r["source_line"]), r["source_format"] or "?", escape(r["reason"]))
    out.print(table)


@app.command()
def remap(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the posts from the raw records kept in the store (after a mapping improved)."""
    from ..store.remap import remap as run

    result = run(existing_store(store))
    if as_json:
        emit_json(result)
        return
    out.print(f"Remapped the store: {result['posts']:,} posts; {result['failed']:,} raw records no longer map.")


@app.command()
def forget(
    author: Annotated[list[str] | None, typer.Option("--author", help="Handle or author id (repeatable).")] = None,
    post: Annotated[list[str] | None, typer.Option("--post", help="Post id (repeatable).")] = None,
    platform: Annotated[str | None, typer.Option(help="Only on this platform.")] = None,
    drop_quarantine: Annotated[bool, typer.Option("--quarantine", help="Also drop every quarantined record.")] = False,
    deleted: Annotated[bool, typer.Option(
        "--deleted", help="Also purge the raw records of every post a delete notice removed.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove an author's or a post's data from the store for good (posts, raw records, index)."""
    from ..store.forget import forget as run

    try:
        result = run(open_store(store), authors=author or [], posts=post or [], platform=platform,
                     drop_quarantine=drop_quarantine, deleted=deleted)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit_json(result)
        return
    if author or post:
        out.print(
            f"Forgot {result['forgotten']:,} posts and purged {result['raw_records_purged']:,} raw records; "
            "later copies of them will stay out of the store.",
            highlight=False,
        )
    if deleted:
        out.print(f"Purged {result['deleted_raw_records_purged']:,} raw records of deleted posts.", highlight=False)
