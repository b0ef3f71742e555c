"""Classifier labels as relations an engine provides: where their files are and what they mean.

Labels sit beside the posts (``STORE/labels/<model>/*.parquet``, keyed by (platform, id); written by
:mod:`tagscope.classify.labels`), outside the manifest. Two relations read them:

- ``label_rows(platform, id, model, version, label, score, labelled_at)``: every stored row;
- ``labels(platform, id, model, label, score)``: the current label of each post per model, the row
  of the model's current version (that of its most recent row) with the latest ``labelled_at``; an
  older version's label stands in until the post is relabelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from ..store import Store

LABELS_DIR = "labels"
SOURCES = ("label_rows", "labels")  # relation names an engine reads from the label files
SCHEMA = pa.schema([
    ("platform", pa.string()),
    ("id", pa.string()),
    ("model", pa.string()),
    ("version", pa.string()),
    ("label", pa.string()),
    ("score", pa.float32()),
    ("labelled_at", pa.timestamp("us")),
])
COLUMNS = "platform, id, model, label, score"

# Over `label_rows`: one row per (platform, id, model).
CURRENT = f"""
SELECT {COLUMNS} FROM (
    SELECT r.*, row_number() OVER (
        PARTITION BY r.platform, r.id, r.model
        ORDER BY (r.version = v.version) DESC NULLS LAST, r.labelled_at DESC) AS _rank
    FROM label_rows r
    LEFT JOIN (SELECT model, arg_max(version, labelled_at) AS version FROM label_rows GROUP BY model) v
    USING (model)
) AS ranked WHERE _rank = 1"""


def folder(store: Store, model: str | None = None) -> Path:
    base = Path(store.path) / LABELS_DIR
    return base / model if model else base


def files(store: Store, model: str | None = None) -> list[str]:
    """Committed label files (hidden names are files being written)."""
    base = folder(store)
    if not base.exists():
        return []
    dirs = [base / model] if model else sorted(p for p in base.iterdir() if p.is_dir())
    return [str(f) for d in dirs if d.exists() for f in sorted(d.glob("*.parquet")) if not f.name.startswith(".")]
