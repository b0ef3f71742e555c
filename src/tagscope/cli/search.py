"""Search commands: search, count-query, reindex (the search extra).

Not made from the analytics registry: they query the full-text index in its own query language,
with filters of their own (author, lang, kind), and ``search`` returns hits, not a Figure.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..analytics.display import write_csv
from .common import analytics_store, app, console, emit_json, existing_store, fail, needs_extra, open_store, out
from .options import (
    CsvOpt,
    JsonOpt,
    NoRepostsOpt,
    PlatformOpt,
    SinceOpt,
    SparkMasterOpt,
    StoreOpt,
    StoreUri,
    TzOpt,
    UntilOpt,
)

TagOpt = Annotated[str | None, typer.Option("--tag", help="Only posts using this hashtag (case-insensitive).")]
AuthorOpt = Annotated[str | None, typer.Option("--author", help="Only posts by this handle.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Only posts in this declared language (en, ja...).")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="Only original, reply, quote or repost.")]
# No envvar here: the API reads $TAGSCOPE_ENGINE itself (search.engine.count_engine), where
# TAGSCOPE_ENGINE=duckdb keeps the index and only a name given here asks for a DuckDB scan.
CountEngineOpt = Annotated[str | None, typer.Option(
    "--engine", show_default=False,
    help="Count by scanning the posts on this engine (duckdb, spark), with the index's text analysis, instead of "
         "the search index; index: the index. Default: the index, or the engine $TAGSCOPE_ENGINE names if not duckdb.")]


def _require_search() -> None:
    try:
        import tantivy  # noqa: F401
    except ModuleNotFoundError as exc:
        needs_extra("search", "full-text search", exc)


def _filters(since, until, tag, author, lang, platform, kind, no_reposts):  # type: ignore[no-untyped-def]
    from ..search import Filters

    return Filters(since=since, until=until, tag=tag, author=author, lang=lang, platform=platform, kind=kind,
                   no_reposts=no_reposts)


def _query_error(query: str, exc: Exception) -> None:
    column = getattr(exc, "column", None)
    if column is not None:
        console.print(f"  {escape(query)}\n  {' ' * (column - 1)}^", highlight=False)
        fail(f"{exc}. Quote phrases with \"...\", use AND/OR/NOT in capitals, # for hashtags, @ for handles.")
    fail(str(exc))


@app.command()
def search(
    query: Annotated[list[str], typer.Argument(help='Words, "phrases", #hashtags, @handles, prefix*, AND/OR/NOT, ( ).')],
    store: StoreOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagOpt = None,
    author: AuthorOpt = None,
    lang: LangOpt = None,
    platform: PlatformOpt = None,
    kind: KindOpt = None,
    no_reposts: NoRepostsOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="Hits to show.")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Hits to skip (paging).")] = 0,
    sort: Annotated[str, typer.Option("--sort", help="relevance (BM25), time (oldest first) or newest.")] = "relevance",
    count: Annotated[bool, typer.Option("--count", help="Print only the exact number of matching posts (plain digits).")] = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Search the posts' text: ranked hits and the exact number of matching posts."""
    _require_search()
    from ..search import QuerySyntaxError
    from ..search import search as run

    q = " ".join(query)
    try:
        result = run(open_store(store), q, limit=0 if count else limit, offset=offset, sort=sort,
                     filters=_filters(since, until, tag, author, lang, platform, kind, no_reposts))
    except QuerySyntaxError as exc:
        _query_error(q, exc)
        return
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json({"total": result.total} | {k: v for k, v in result.to_json().items() if k == "coverage"}
                  if count else result.to_json())
        return
    if result.note:  # a half-built index: on stderr, so --count and --csv output stay as they were
        typer.echo(result.note, err=True)
    if count:
        out.print(str(result.total), highlight=False)  # plain digits: scripts read it (n=$(... --count))
        return
    if as_csv:  # the hits of this page, the same fields as --json
        write_csv(["post_id", "author", "created_at", "score", "text"], [h.to_json() for h in result.hits], sys.stdout)
        return
    table = Table(title=f"{result.total:,} posts match {escape(q)}", title_justify="left")
    for col in ("#", "score" if sort == "relevance" else "created_at", "author", "text"):
        table.add_column(col, justify="right" if col in ("#", "score") else "left",
                         no_wrap=col != "text", overflow="fold")
    for i, h in enumerate(result.hits, start=offset + 1):
        text = Text(h.text)
        for start, end in h.spans:
            text.stylize("bold yellow", start, end)
        first = f"{h.score:.2f}" if h.score is not None else (h.created_at or "")
        table.add_row(str(i), first, escape(f"@{h.author}") if h.author else "?", text)
    out.print(table)
    if result.hits:
        shown = f"Showing {offset + 1:,}–{offset + len(result.hits):,} of {result.total:,}"
        more = f"; next page: --offset {offset + len(result.hits)}" if offset + len(result.hits) < result.total else ""
        out.print(shown + more + ".", highlight=False)
    elif result.total:
        out.print(f"No hits on this page; there are {result.total:,} (lower --offset).", highlight=False)
    else:
        out.print("Found no posts. Try fewer words, a prefix (femin*), or OR between words.", highlight=False)


@app.command("count-query")
def count_query(
    queries: Annotated[list[str], typer.Argument(help="One or more queries (quote each); one series per query.")],
    store: StoreOpt = None,
    every: Annotated[str, typer.Option("--every", help="Bucket: minute, hour, day or week (weeks start Monday).")] = "day",
    tz: TzOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagOpt = None,
    author: AuthorOpt = None,
    lang: LangOpt = None,
    platform: PlatformOpt = None,
    kind: KindOpt = None,
    no_reposts: NoRepostsOpt = False,
    engine: CountEngineOpt = None,
    spark_master: SparkMasterOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Count the posts matching each query per time bucket (exact; empty buckets are zero)."""
    _require_search()
    from ..engines.spark_session import SparkUnavailable  # its error type only: no pyspark import
    from ..search import QuerySyntaxError
    from ..search import count_query as run

    if spark_master:  # read when the Spark engine starts its session (engines/spark_session.py)
        from ..engines import spark_session

        spark_session.configure(spark_master)
    try:
        # A store by URI is read through Spark, as the analytics read it (the index needs a local folder).
        st = analytics_store(store, engine) if isinstance(store, StoreUri) else open_store(store)
        fig = run(st, queries, every=every, tz=tz, engine=engine,
                  filters=_filters(since, until, tag, author, lang, platform, kind, no_reposts))
    except QuerySyntaxError as exc:
        _query_error(next((q for q in queries if _bad(q)), queries[0]), exc)
        return
    except (ValueError, FileNotFoundError, ModuleNotFoundError, SparkUnavailable) as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(fig.data)
        return
    if as_csv:  # one row per (query, bucket), as --json's series
        write_csv(["query", "bucket", "count"], fig.data["series"], sys.stdout)
        return
    table = Table(title=f"Posts per {every} ({fig.data['tz']}; buckets start at the UTC time shown)", title_justify="left")
    table.add_column("bucket")
    for q in queries:
        table.add_column(escape(q), justify="right")
    by_bucket: dict[str, dict[str, int]] = {}
    for row in fig.data["series"]:
        by_bucket.setdefault(row["bucket"], {})[row["query"]] = row["count"]
    for bucket, counts in by_bucket.items():
        table.add_row(bucket, *(f"{counts.get(q, 0):,}" for q in queries))
    out.print(table)
    out.print(escape(fig.rule), highlight=False)


def _bad(query: str) -> bool:
    from ..search import QuerySyntaxError, parse

    try:
        parse(query)
    except QuerySyntaxError:
        return True
    return False


@app.command()
def reindex(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the full-text search index from the store's posts."""
    _require_search()
    from ..search import reindex as run

    result = run(existing_store(store))
    if as_json:
        emit_json(result)
        return
    out.print(f"Indexed {result['documents']:,} posts from {result['added_files']:,} posts files.", highlight=False)
