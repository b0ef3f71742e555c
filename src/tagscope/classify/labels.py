"""Labels beside the posts: ``STORE/labels/<model>/*.parquet``, keyed by (platform, id).

Why beside and not inside the posts files: posts files are immutable and get replaced when a post
is re-ingested or merged; a label keyed by (platform, id) survives all of that. Each file is written
hidden and renamed into place, so a reader never sees half a file and a crash loses at most the
batch in flight. The current label of a post for a model is the row of the model's current version
with the latest ``labelled_at`` (an older version's label stands in until the post is relabelled).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..engines import engine_for
from ..engines.labels import SCHEMA, files, folder
from ..files import replacing
from ..store import events

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["SCHEMA", "by", "check", "compact", "files", "folder", "where", "write", "write_to"]


def _publish(table: pa.Table, d: Path, now: datetime) -> Path:
    """Write TABLE as a new label file of folder D, atomically (a reader never sees half a file)."""
    path = d / f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.parquet"
    with replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def write(store: Store, model: str, version: str, platforms: list[str], ids: list[str],
          labels: list[str], scores: list[float]) -> Path | None:
    """Append one file of labels for a model; returns its path (None when there is nothing to write)."""
    return write_to(folder(store, model), model, version, platforms, ids, labels, scores)


def write_to(d: Path, model: str, version: str, platforms: list[str], ids: list[str],
             labels: list[str], scores: list[float]) -> Path | None:
    """:func:`write` into the model's folder D: what a Spark executor calls, which has the store's
    path (a shared mount on a cluster) but no :class:`Store` object."""
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
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    return _publish(table, d, now)


def compact(store: Store, model: str, version: str | None = None, *, min_files: int = 8) -> int:
    """Merge a model's label files into one holding only each post's current row; returns files removed.

    Runs when the model has at least ``min_files`` files (each classify run adds one per 200,000
    labels). Rows of older versions are dropped once the post has a row of ``version``. The merged
    file is published before the old ones are removed, so a crash leaves duplicates, never a loss."""
    paths = files(store, model)
    if len(paths) < min_files:
        return 0
    order = "(version = ?) DESC, labelled_at DESC" if version else "labelled_at DESC"
    table = engine_for(store).query(
        f"SELECT * EXCLUDE (_rank) FROM (SELECT *, row_number() OVER (PARTITION BY platform, id ORDER BY {order}) AS _rank "
        "FROM label_rows WHERE model = ?) WHERE _rank = 1 ORDER BY platform, id",
        [*([version] if version else []), model], ("label_rows",),
    ).select(SCHEMA.names).cast(SCHEMA)
    _publish(table, folder(store, model), datetime.now(UTC).replace(tzinfo=None))
    for old in paths:
        Path(old).unlink(missing_ok=True)
    return len(paths)


def check(model: str, label: str | None = None) -> None:
    """ValueError naming the choices when ``model`` is not a classifier, or ``label`` is not one of its
    labels (models with an open label set, such as language, take any label). A misspelt name would
    otherwise match no post and show as a plausible 0."""
    from .registry import all_models  # the models (and their numpy/scipy) load only to check a name

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
    Over the engine's ``labels`` relation (:mod:`tagscope.engines.labels`). For analytics filters."""
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
            with replacing(path.with_name(f"{path.stem}-forget-{uuid.uuid4().hex[:8]}.parquet")) as tmp:
                pq.write_table(kept, tmp, compression="zstd")
        path.unlink()


events.on_forget.subscribe(forget)
