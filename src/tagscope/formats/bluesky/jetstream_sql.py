"""Jetstream lines sorted by DuckDB, the posts among them mapped by ``jetstream.parse``: ingest's fast path.

Most Jetstream lines are no posts (in the real capture, 105 of 152 are likes, a few more follows, blocks,
profiles, identity and account events): Python decoded each whole line only to drop it. DuckDB's JSON
reader reads the few keys that decide, on both cores, and marks each line:

- ``skip``: an ``account`` event, or a commit of a collection other than posts and reposts: it maps to
  nothing (ingest counts it in ``records``); an ``identity`` event (a handle) goes to Python;
- a candidate: a commit of a post or a repost. ``finish`` rebuilds the event from the values DuckDB read
  (the record as its JSON text) and maps it with ``jetstream.parse`` itself, so a post, a repost and a
  delete's tombstone are exactly the parser's; one it refuses goes to Python whole;
- ``python``: everything else (no kind, an unknown kind, a commit that is no object or names no
  collection, a malformed line): ``jetstream.parse`` reads the line, with its quarantine reason.

Known difference, as for the v1.1 mapping: DuckDB's JSON parser is more lenient than orjson's for a few
malformed lines (a lone surrogate, a repeated key), which the fast path reads and Python quarantines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ...post import POST_SCHEMA, Tombstone
from ..base import ParseError
from . import jetstream

BLOCK_BYTES = 30 << 20  # as the v1.1 mapping: under glibc's largest mmap threshold
NATIVE = None
MACROS = "CREATE OR REPLACE MACRO js_str(x) AS CASE WHEN json_type(x) = 'VARCHAR' THEN x->>'$' END;"

_COLS = ("{'did': 'JSON', 'time_us': 'JSON', 'kind': 'JSON', 'commit': 'STRUCT(rev JSON, operation JSON, "
         "collection JSON, rkey JSON, cid JSON, record JSON)'}")

QUERY = f"""
WITH r AS (
  SELECT *, js_str(kind) AS k, js_str(commit.collection) AS coll
  FROM read_ndjson(?, columns={_COLS}, ignore_errors=true, maximum_object_size=16777216,
                   compression='auto_detect') t
)
SELECT
  coalesce(NOT (k = 'account' OR (k = 'commit' AND coll IS NOT NULL)), true) AS python,
  coalesce(k = 'account' OR (k = 'commit' AND coll NOT IN ('{jetstream.POST}', '{jetstream.REPOST}')),
           false) AS skip,
  did, time_us, coll, commit.rev AS rev, commit.operation AS operation, commit.rkey AS rkey, commit.cid AS cid,
  commit.record AS record
FROM r
"""

_OUT = [f for f in POST_SCHEMA if f.name not in ("source_file", "source_line")]
_INPUTS = ("did", "time_us", "coll", "rev", "operation", "rkey", "cid", "record")


def query() -> str:
    """One row per non-blank line, in file order: ``python``, ``skip`` and the values ``finish`` maps."""
    return QUERY


def _value(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def finish(table: pa.Table) -> pa.Table:
    """The candidates mapped by ``jetstream.parse``: posts, and tombstones (``tombstone``) of deletes."""
    n = len(table)
    python = pc.fill_null(table.column("python"), True).to_numpy(zero_copy_only=False).copy()
    skip = pc.fill_null(table.column("skip"), False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(~python & ~skip)
    tomb = np.zeros(n, bool)
    out: dict[str, list[Any]] = {f.name: [None] * n for f in _OUT}
    vals = {k: table.column(k).take(pa.array(rows)).to_pylist() for k in _INPUTS}
    for j, i in enumerate(rows.tolist()):
        commit = {"rev": _value(vals["rev"][j]), "operation": _value(vals["operation"][j]),
                  "collection": vals["coll"][j], "rkey": _value(vals["rkey"][j]), "cid": _value(vals["cid"][j]),
                  "record": _value(vals["record"][j])}
        event = {"did": _value(vals["did"][j]), "time_us": _value(vals["time_us"][j]), "kind": "commit",
                 "commit": {k: v for k, v in commit.items() if v is not None}}
        try:
            items = jetstream.parse(event)
        except ParseError:
            python[i] = True  # Python reads the line again and quarantines it with this reason
            continue
        if len(items) != 1:
            python[i] = True
            continue
        item = items[0]
        if isinstance(item, Tombstone):
            tomb[i] = True
            out["platform"][i], out["id"][i], out["created_at"][i] = item.platform, item.id, item.at
            continue
        for name, column in out.items():
            column[i] = item.get(name)
    columns = {"python": pa.array(python), "tombstone": pa.array(tomb)}
    columns.update({f.name: pa.array(out[f.name], f.type) for f in _OUT})
    columns["skip"] = pa.array(skip)
    return pa.table(columns)
