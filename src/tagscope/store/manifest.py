"""The store's manifest: the one file whose atomic replacement commits a change.

Data files are immutable Parquet files under ``posts/``, ``raw/``, ``tombstones/``,
``quarantine/`` and ``forgotten/``. A file counts only once the manifest names it, so a crash at any point leaves the
last committed manifest, and the files it names, intact; files it does not name are leftovers of an
interrupted commit and are removed the next time the store is opened for writing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from .. import files
from ..post import POST_SCHEMA

KINDS = ("posts", "raw", "tombstones", "quarantine", "forgotten", "handles")
MANIFEST = "manifest.json"
SCRATCH = ".scratch"  # the writer's scratch folder inside the store (ingest's blocks for DuckDB)
FORMAT_VERSION = 1


def empty() -> dict[str, Any]:
    # A new store's (no) posts files have today's columns (see migrate.py).
    return {"format": "tagscope-store", "format_version": FORMAT_VERSION, "generation": 0, **{k: [] for k in KINDS},
            "posts_columns": POST_SCHEMA.names}


def load(root: Path) -> dict[str, Any]:
    """The committed state; a ValueError that says what is wrong when ROOT cannot be a store."""
    if root.exists() and not root.is_dir():
        raise ValueError(f"{root} is a file: a store is a folder (--store DIR)")
    path = root / MANIFEST
    if not path.exists():
        return empty()
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path} is damaged ({exc}): not a readable tagscope store manifest") from exc
    if not isinstance(data, dict) or data.get("format") != "tagscope-store":
        raise ValueError(f"{path} is not a tagscope store manifest")
    for k in KINDS:
        data.setdefault(k, [])
    return data


def save(root: Path, data: dict[str, Any]) -> None:
    """Replace the manifest atomically: this rename is the commit."""
    files.write_bytes(root / MANIFEST, orjson.dumps(data, option=orjson.OPT_INDENT_2))


# The names the store gives its data files (staged with a leading dot): commit.py, forget.py.
DATA_FILE = re.compile(r"\.?(part|raw|tomb|q|acct|hdl)-\d{6}-[\w-]+\.parquet")


def collect_garbage(root: Path, data: dict[str, Any]) -> int:
    """Remove data files the manifest does not name (leftovers of an interrupted commit).

    Only files named as the store names its own: a folder used as a store may already hold a
    ``raw/`` or ``posts/`` of the user's (``tagscope ingest raw --store .`` deleted the input)."""
    removed = 0
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        keep = set(data[kind])
        for f in folder.iterdir():
            if f.is_file() and f.name not in keep and DATA_FILE.fullmatch(f.name):
                f.unlink()
                removed += 1
    # The temporary of an interrupted save (and the name stores written before files.py used).
    for tmp in (files.temp_path(root / MANIFEST), root / (MANIFEST + ".tmp")):
        tmp.unlink(missing_ok=True)
    return removed
