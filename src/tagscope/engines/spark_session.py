"""The one SparkSession of a process: where it connects, how it is tuned, and the clear failures.

A JVM starts once per process (seconds), so every Spark engine shares this session's SparkContext
and takes a ``newSession()`` of it: its own temp views (``posts``, ``labels`` of ITS store) and SQL
settings, the same executors. Where it connects: :func:`configure`'s master, else
``$TAGSCOPE_SPARK_MASTER``, else ``local[*]``. A master starting ``sc://`` is a Spark Connect
server (``pip install 'pyspark[connect]'``); anything else (``local[2]``, ``spark://host:7077``,
``yarn``, ``k8s://...``) is a classic master.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MASTER_ENV = "TAGSCOPE_SPARK_MASTER"
DEFAULT_MASTER = "local[*]"
# Small plans over small or medium stores: 200 shuffle partitions (Spark's default) cost more in task
# start-up than they save; a cluster run sets its own with TAGSCOPE_SPARK_CONF or spark-defaults.conf.
CONF = {
    "spark.app.name": "tagscope",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
    # Every time in the store is naive UTC: in a UTC session a TIMESTAMP is that same wall clock, so
    # DuckDB's naive timestamps and Spark's instants compare and print alike.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
    "spark.sql.shuffle.partitions": str(max(2, os.cpu_count() or 1)),
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # DuckDB's dialect has no ANSI overflow errors on casts; the analytics' SQL relies on neither.
    "spark.sql.ansi.enabled": "false",
}



class SparkUnavailable(RuntimeError):
    """Spark cannot start here (no Java): the message is the one line that says what to install."""


_master: str | None = None
_root: Any = None  # the first session: owns the SparkContext the engines' sessions share


def configure(master: str | None) -> None:
    """Connect later sessions to MASTER (None: ``$TAGSCOPE_SPARK_MASTER`` or local)."""
    global _master
    _master = master


def master() -> str:
    return _master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER


def _extra_conf() -> dict[str, str]:
    """``TAGSCOPE_SPARK_CONF="k=v,k=v"``: settings for a cluster (memory, S3 credentials provider)."""
    out = {}
    for item in filter(None, (os.environ.get("TAGSCOPE_SPARK_CONF") or "").split(",")):
        key, _, value = item.partition("=")
        out[key.strip()] = value.strip()
    return out


@contextmanager
def quiet() -> Iterator[None]:
    """A block in which pyspark's own warnings (pandas 3 not yet 'fully supported': tagscope hands
    Spark Arrow, never pandas) stay silent, so they never reach a user or a strict test run."""
    with warnings.catch_warnings():
        for category in (FutureWarning, UserWarning, DeprecationWarning):
            warnings.simplefilter("ignore", category)
        yield


def session() -> Any:
    """A new SparkSession (own temp views) on the process's shared SparkContext."""
    global _root
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("The spark engine needs pyspark: pip install 'tagscope[spark]'", name=exc.name) from exc
    url = master()
    if url.startswith("sc://"):
        return _connect(SparkSession, url)
    if _root is None or _root.sparkContext._jsc is None:
        if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            raise SparkUnavailable(
                "The spark engine needs Java 17: apt-get install -y openjdk-17-jre-headless (or set JAVA_HOME)")
        if url.startswith("local"):  # Python workers (ingest's parsers) run this interpreter, not PATH's python3
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = SparkSession.builder
        if _master or os.environ.get(MASTER_ENV) or not os.environ.get("PYSPARK_GATEWAY_PORT"):
            builder = builder.master(url)  # under spark-submit (a gateway is up) its --master rules
        for key, value in {**CONF, **_extra_conf()}.items():
            builder = builder.config(key, value)
        with quiet():
            _root = builder.getOrCreate()
        _root.sparkContext.setLogLevel("ERROR")
    return _root.newSession()


_connected: list[Any] = []  # Spark Connect sessions of this process, closed before it exits


def _close_connect() -> None:
    """Close the Connect sessions' channels while the interpreter still runs: left to the garbage
    collector at exit, gRPC's channel close waits for threads that are gone (the process hangs)."""
    while _connected:
        with contextlib.suppress(Exception):
            _connected.pop().client.close()


def _connect(spark_session: Any, url: str) -> Any:
    """A new server-side session of the Spark Connect server at URL (no JVM here).

    A Connect session starts from the server's settings, not from this process's ``CONF``: the SQL
    ones that decide answers (UTC session time zone, no ANSI errors, Arrow) are set on each new
    session; the static ones (UI, app name) are the server's."""
    try:
        with quiet():
            root = spark_session.builder.remote(url).getOrCreate()
    except ImportError as exc:  # pyspark's connect client needs grpcio & co
        raise ModuleNotFoundError(
            f"A Spark Connect URL needs pyspark's connect client: pip install 'tagscope[spark]' ({exc})",
            name=getattr(exc, "name", None)) from exc
    session = root.newSession()
    if not _connected:
        atexit.register(_close_connect)
    _connected.extend((root, session))
    for key, value in {**CONF, **_extra_conf()}.items():
        if key.startswith("spark.sql."):
            session.conf.set(key, value)
    return session


def stop() -> None:
    """Stop the shared SparkContext (tests and benchmarks end with it; a later session starts a new one)."""
    global _root
    if _root is not None:
        _root.stop()
        _root = None
