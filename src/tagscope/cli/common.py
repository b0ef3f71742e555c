"""What every command shares: the app, the two consoles, JSON on stdout, errors, opening the store."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from ..store import Store, default_path
from .options import StoreUri

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Observatory for hashtag movements and online misogyny.")
console = Console(stderr=True)
out = Console()


def emit_json(obj: Any) -> None:
    """One JSON object on stdout (times ISO 8601, anything else as text)."""
    sys.stdout.write(orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print MESSAGE as an error and exit. It is plain text, not Rich markup: it quotes what the user
    typed (a '[/]' would be a MarkupError) and hints such as "pip install 'tagscope[search]'"."""
    console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def needs_extra(extra: str, feature: str, exc: ImportError | None = None) -> NoReturn:
    """The one-line error of an optional feature whose extra is not installed."""
    missing = f" ({exc.name} is missing)" if exc is not None and exc.name else ""
    fail(f"{feature} needs the {extra} extra: pip install 'tagscope[{extra}]'{missing}")


def open_store(path: Path | None) -> Store:
    """The store, or a clear error (no traceback) when the path cannot be one."""
    if isinstance(path, StoreUri):  # this command reads or writes the folder itself
        fail(f"--store {path} is a URI: this command needs a local store folder; only the analytics commands "
             f"read a store by URI, with --engine spark (e.g. tagscope trend TAG --store {path} --engine spark).")
    try:
        return Store(path or default_path())
    except ValueError as exc:
        fail(str(exc))


def existing_store(path: Path | None) -> Store:
    """:func:`open_store` for commands that read a store: a mistyped --store opened as an empty one
    would give a confident 0 everywhere, so no store there is an error."""
    st = open_store(path)
    if not (st.path / "manifest.json").exists():
        fail(f"no store at {st.path}: ingest posts first (tagscope ingest --store PATH FILES)")
    return st


def posts_store(path: Path | None) -> Store:
    """The store at PATH, or a clear error when it holds no posts (labelling nothing would report 0)."""
    st = open_store(path)
    if not st.files("posts"):
        fail(f"the store {st.path} holds no posts yet: ingest some first with `tagscope ingest --store {st.path} FILES`")
    return st


def analytics_store(path: Path | None, engine: str | None, *, posts: bool = False) -> Any:
    """The store an analytics command reads: :func:`posts_store` or :func:`existing_store` of a
    folder, or, for a URI with the Spark engine, the store there read through Spark (read-only)."""
    if not isinstance(path, StoreUri):
        return posts_store(path) if posts else existing_store(path)
    from .. import engines

    if (engine or os.environ.get(engines.ENV) or engines.DEFAULT) != "spark":
        fail(f"--store {path} is a URI: DuckDB reads a local store folder; read the URI with --engine spark, "
             "or copy the store to a local folder.")
    from ..engines.spark_session import SparkUnavailable  # its error type only: no pyspark import

    try:
        from ..engines.spark_store import RemoteStore

        st = RemoteStore(str(path))
    except (ModuleNotFoundError, SparkUnavailable, ValueError) as exc:
        fail(str(exc))
    if posts and not st.files("posts"):
        fail(f"the store {path} holds no posts yet")
    return st


def plural(n: int, noun: str) -> str:
    """'1 new post', '2 new posts': counts read as sentences."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
