"""The `tagscope` command line: thin wrappers over the store and the analytics.

Every command that prints a result takes ``--json`` (one JSON object on stdout, nothing else).
Command groups live in their own modules (``cli_*.py``) and register themselves on ``app``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .store import Store, default_path

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, help="Observatory for hashtag movements and online misogyny.")
console = Console(stderr=True)
out = Console()

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", envvar="TAGSCOPE_STORE", help="Store folder (default ./tagscope-data).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")]


def open_store(path: Path | None) -> Store:
    """The store, or a clear error (no traceback) when the path cannot be one."""
    try:
        return Store(path or default_path())
    except ValueError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def existing_store(path: Path | None) -> Store:
    """:func:`open_store` for commands that read a store: a mistyped --store opened as an empty one
    gave a confident 0 everywhere (and ``remap`` made it a store), so no store there is an error."""
    st = open_store(path)
    if not (st.path / "manifest.json").exists():
        fail(f"no store at {st.path}: ingest posts first (tagscope ingest --store PATH FILES)")
    return st


def emit_json(obj: Any) -> None:
    sys.stdout.write(orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")


def fail(message: str, code: int = 2) -> None:
    """Print MESSAGE as an error and exit. It is plain text, not Rich markup: it quotes what the user
    typed ('[/]' crashed with a MarkupError) and hints such as "pip install 'tagscope[search]'"."""
    console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, .gz/.zst/.zip archives, or - for stdin.")],
    store: StoreOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a format instead of sniffing each file.")] = None,
    index: Annotated[bool, typer.Option("--index", help="Also bring the search index up to date now "
                                        "(otherwise the first search does it).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest posts into the store (formats are sniffed per file)."""
    st = open_store(store)
    last = [0]

    def progress(summary: Any) -> None:
        if not as_json and summary.records - last[0] >= 100_000:
            last[0] = summary.records
            console.print(f"read {summary.records:,} records", highlight=False)

    try:
        summary = st.ingest(paths, fmt=fmt, progress=progress, index=index)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(summary)
        return
    # Rich markup: file names and reasons are the user's text ("[bold]x.jsonl" showed as "x.jsonl", and a
    # reason quoting "[/bold]" crashed `tagscope quarantine` with a MarkupError).
    table = Table(title=escape(f"Ingested into {st.path}"))
    for col in ("file", "format", "records", "posts", "quarantined"):
        table.add_column(col, justify="right" if col in ("records", "posts", "quarantined") else "left")
    for f in summary["files"]:
        table.add_row(escape(f["file"]), f["format"] or "?", f"{f['records']:,}", f"{f['posts']:,}", f"{f['quarantined']:,}")
    out.print(table)
    out.print(
        f"Stored {_count(summary['ingested'], 'new post')}; {_count(summary['duplicates'], 'duplicate')} "
        f"({summary['updated']:,} added information); {_count(summary['deleted'], 'deletion')} recorded; "
        f"{_count(summary['quarantined'], 'record')} quarantined; {summary['seconds']:.1f} s.",
        highlight=False,
    )
    if summary["quarantined"]:
        out.print("See them with: tagscope quarantine", highlight=False)


def _count(n: int, noun: str) -> str:
    """'1 new post', '2 new posts': counts read as sentences."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


@app.command()
def stats(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Summarise the store: posts, authors, platforms, time span, quarantine, deletions."""
    st = open_store(store)
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
    st = open_store(store)
    total = st.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]  # type: ignore[index]
    rows = st.sql(
        "SELECT source_file, source_line, source_format, reason FROM quarantine ORDER BY source_file, source_line LIMIT ?",
        [limit],
    ).to_pylist()
    if as_json:
        emit_json({"total": total, "records": rows})
        return
    table = Table(title=_count(total, "quarantined record"))
    for col in ("file", "line", "format", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["source_file"]), str(r["source_line"]), r["source_format"] or "?", escape(r["reason"]))
    out.print(table)


# Command groups contributed by other modules (analytics, search, classify, report, web, simulate).
for _mod in ("cli_store", "cli_analytics", "cli_search", "cli_classify", "cli_report", "simulate.cli"):
    try:
        importlib.import_module(f"{__package__}.{_mod}")
    except ModuleNotFoundError as _exc:
        if not (_exc.name or "").startswith(f"{__package__}.{_mod.split('.')[0]}"):
            raise


def main() -> None:  # pragma: no cover
    app()
