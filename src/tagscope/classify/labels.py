"""Labels beside the posts: ``STORE/labels/<model>/*.parquet``, keyed by (platform, id).

Why beside and not inside the posts files: posts files are immutable and get replaced when a post
is re-ingested or merged; a label keyed by (platform, id) survives all of that. Each file is written
hidden and renamed into place, so a reader never sees half a file and a crash loses at most the
batch in flight. The current label of a post for a model is the row of the model's current version
with the latest ``labelled_at`` (an older version's label stands in until the post is relabelled).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import files as atomic
from ..store import events

if TYPE_CHECKING:
    from ..store import Store

SCHEMA = pa.schema([
    ("platform", pa.string()),
    ("id", pa.string()),
    ("model", pa.string()),
    ("version", pa.string()),
    ("label", pa.string()),
    ("score", pa.float32()),
    ("labelled_at", pa.timestamp("us")),
])
VIEW_COLUMNS = "platform, id, model, label, score"


def folder(store: Store, model: str | None = None) -> Path:
    base = Path(store.path) / "labels"
    return base / model if model else base


def files(store: Store, model: str | None = None) -> list[str]:
    """Committed label files (hidden names are files being written)."""
    base = folder(store)
    if not base.exists():
        return []
    dirs = [base / model] if model else sorted(p for p in base.iterdir() if p.is_dir())
    return [str(f) for d in dirs if d.exists() for f in sorted(d.glob("*.parquet")) if not f.name.startswith(".")]


def write(store: Store, model: str, version: str, platforms: list[str], ids: list[str],
          labels: list[str], scores: list[float]) -> Path | None:
    """Append one file of labels for a model; returns its path (None when there is nothing to write)."""
    if not ids:
        return None
    now = datetime.now(UTC).replace(tzinfo=None)
    n = len(ids)
    table = pa.table({
        "platform": pa.array(platforms, pa.string()),
        "id": pa.array(ids, pa.string()),
        "model": pa.array([model] * n, pa.string()),
        "version": pa.array([version] * n, pa.string()),
        "label": pa.array(labels, pa.string()),
        "score": pa.array(scores, pa.float32()),
        "labelled_at": pa.array([now] * n, pa.timestamp("us")),
    }, schema=SCHEMA)
    d = folder(store, model)
    d.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.parquet"
    tmp = d / f".{name}"
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, d / name)
    return d / name


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def register_view(store: Store, con: duckdb.DuckDBPyConnection | None = None,
                  versions: dict[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """Create the views ``labels(platform, id, model, label, score)`` (current labels, empty when
    none) and ``label_rows`` (every stored row, all versions) on ``con`` (default ``store.con``).

    ``versions`` maps a model to its current version; without it, the version of each model's most
    recent row counts as current. Call again after labelling to see new files."""
    con = con if con is not None else store.con
    paths = files(store)
    if paths:
        con.execute(f"CREATE OR REPLACE VIEW label_rows AS SELECT * FROM read_parquet({_sql_list(paths)}, union_by_name = true)")
    else:
        con.register("_empty_label_rows", SCHEMA.empty_table())
        con.execute("CREATE OR REPLACE VIEW label_rows AS SELECT * FROM _empty_label_rows")
    if versions:
        con.register("_label_versions_given", pa.table({"model": list(versions), "version": list(versions.values())}))
        con.execute("CREATE OR REPLACE VIEW _label_versions AS SELECT * FROM _label_versions_given")
    else:
        con.execute(
            "CREATE OR REPLACE VIEW _label_versions AS "
            "SELECT model, arg_max(version, labelled_at) AS version FROM label_rows GROUP BY model"
        )
    con.execute(f"""
        CREATE OR REPLACE VIEW labels AS
        SELECT {VIEW_COLUMNS} FROM (
            SELECT r.*, row_number() OVER (
                PARTITION BY r.platform, r.id, r.model
                ORDER BY (r.version = v.version) DESC NULLS LAST, r.labelled_at DESC) AS _rank
            FROM label_rows r LEFT JOIN _label_versions v USING (model)
        ) WHERE _rank = 1
    """)
    return con


def compact(store: Store, model: str, version: str | None = None, *, min_files: int = 8) -> int:
    """Merge a model's label files into one holding only each post's current row; returns files removed.

    Runs when the model has at least ``min_files`` files (each classify run adds one per 200,000
    labels). Rows of older versions are dropped once the post has a row of ``version``. The merged
    file is published before the old ones are removed, so a crash leaves duplicates, never a loss."""
    paths = files(store, model)
    if len(paths) < min_files:
        return 0
    con = duckdb.connect()
    order = "(version = ?) DESC, labelled_at DESC" if version else "labelled_at DESC"
    table = con.execute(
        f"SELECT * EXCLUDE (_rank) FROM (SELECT *, row_number() OVER (PARTITION BY platform, id ORDER BY {order}) AS _rank "
        f"FROM read_parquet({_sql_list(paths)}, union_by_name = true)) WHERE _rank = 1 ORDER BY platform, id",
        [version] if version else [],
    ).to_arrow_table().cast(SCHEMA)
    con.close()
    d = folder(store, model)
    now = datetime.now(UTC).replace(tzinfo=None)
    name = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.parquet"
    tmp = d / f".{name}"
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, d / name)
    for old in paths:
        Path(old).unlink(missing_ok=True)
    return len(paths)


def check(model: str, label: str | None = None) -> None:
    """ValueError naming the choices when ``model`` is not a classifier, or ``label`` is not one of its
    labels (models with an open label set, such as language, take any label). A misspelt name would
    otherwise match no post and show as a plausible 0."""
    from .registry import all_models

    models = all_models()
    if model not in models:
        raise ValueError(f"No model named {model!r}: choose one of {', '.join(sorted(models))}.")
    known = models[model].labels
    if label is not None and known and label not in known:
        raise ValueError(f"The {model} model has no label {label!r}: choose one of {', '.join(known)}.")


def where(spec: str, posts: str = "posts") -> tuple[str, list[str]]:
    """SQL condition (and parameters) for ``--where MODEL=LABEL`` over a relation of posts.

    ``where("stance=against")`` -> ``EXISTS (SELECT 1 FROM labels ...)`` keeping posts whose current
    stance label is 'against'; ``stance!=against`` keeps the others (unlabelled posts included).
    Needs :func:`register_view` on the connection first. For analytics filters."""
    negate = "!=" in spec
    model, sep, label = spec.partition("!=" if negate else "=")
    model, label = model.strip(), label.strip()
    if not sep or not model or not label:
        raise ValueError(f"Use --where MODEL=LABEL, e.g. stance=against (got {spec!r}).")
    check(model, label)
    cond = (f"EXISTS (SELECT 1 FROM labels l WHERE l.platform = {posts}.platform AND l.id = {posts}.id "
            f"AND l.model = ? AND l.label = ?)")
    return (f"NOT {cond}" if negate else cond), [model, label]


def by(model: str, posts: str = "posts") -> tuple[str, list[str]]:
    """SQL expression (and parameter) for ``--by MODEL``: the post's current label, 'unlabelled' if none."""
    check(model)
    return (f"coalesce((SELECT l.label FROM labels l WHERE l.platform = {posts}.platform AND l.id = {posts}.id "
            f"AND l.model = ?), 'unlabelled')"), [model]


def forget(store: Store, forgotten: events.ForgottenPosts) -> None:
    """Rewrite the label files without the rows of the forgotten posts: a label (testimony, sexism...)
    is read from the forgotten text, so it must not outlive it. Each filtered copy is published before
    its original is removed: a crash leaves a duplicate row, never a lost label of anyone else."""
    paths = files(store) if forgotten.keys else []
    drop = pa.array([f"{p}\x00{i}" for p, i in forgotten.keys], pa.string())
    for path in map(Path, paths):
        table = pq.read_table(path)
        keys = pc.binary_join_element_wise(table.column("platform"), table.column("id"), "\x00")
        kept = table.filter(pc.invert(pc.is_in(keys, value_set=drop)))
        if kept.num_rows == table.num_rows:
            continue
        if kept.num_rows:
            with atomic.replacing(path.with_name(f"{path.stem}-forget-{uuid.uuid4().hex[:8]}.parquet")) as tmp:
                pq.write_table(kept, tmp, compression="zstd")
        path.unlink()


events.on_forget.subscribe(forget)
