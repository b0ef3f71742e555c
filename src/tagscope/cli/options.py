"""Options shared by the commands, declared once: one flag, one help text, one meaning everywhere.

Analytics commands take their options from the analytics registry (:func:`param`); the other
commands use the aliases below.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import engines
from ..analytics.registry import FILTERS, Option


class StoreUri(str):
    """A ``--store`` given as a URI (``s3a://``, ``hdfs://``, ``file://``...): only the Spark engine
    reads it, and only the analytics commands take one (:func:`.common.analytics_store`)."""


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def store_path(value: str) -> Path | StoreUri:
    """``--store`` as typed: a URI is kept whole (a Path would fold ``s3a://b`` into ``s3a:/b``)."""
    return StoreUri(value) if _URI.match(value) else Path(value)


StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", envvar="TAGSCOPE_STORE", parser=store_path, metavar="PATH", show_default=False,
                 help="Store folder (default ./tagscope-data); analytics with --engine spark also read a URI "
                      "(s3a://, hdfs://, file://)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the table as CSV on stdout.")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Also print the exact SQL run, with its parameters.")]
EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", envvar=engines.ENV, show_default=False,
                 help=f"Engine that runs the analytic: {', '.join(engines.names())} (default: {engines.DEFAULT})."),
]

SparkMasterOpt = Annotated[
    str | None,
    typer.Option("--spark-master", envvar="TAGSCOPE_SPARK_MASTER", show_default=False,
                 help="With --engine spark: the master (local[*] by default, spark://host:7077, yarn) or a Spark Connect URL (sc://host:15002)."),
]


def param(opt: Option) -> tuple[Any, Any]:
    """The (annotation, default) of a command parameter for OPT."""
    kind = list[opt.type] if opt.repeatable else opt.type  # type: ignore[name-defined]
    if opt.argument:
        info: Any = typer.Argument(help=opt.help)
    else:
        extra = {"min": opt.min} if opt.min is not None else {}
        info = typer.Option(*opt.cli_flags, help=opt.help, **extra)
    if opt.required:
        return Annotated[kind, info], inspect.Parameter.empty
    if opt.default is None:
        kind = kind | None
    return Annotated[kind, info], opt.default


def _alias(name: str) -> Any:
    annotation, _ = param(FILTERS[name])
    return annotation


SinceOpt = _alias("since")
UntilOpt = _alias("until")
TzOpt = _alias("tz")
NoRepostsOpt = _alias("no_reposts")
PlatformOpt = _alias("platform")
