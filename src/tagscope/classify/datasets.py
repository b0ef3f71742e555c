"""The labelled sets shipped in ``classify/data`` (see build_data.py), read as lists of dicts."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Any

import orjson

DATA = Path(__file__).resolve().parent / "data"


@cache
def _read(name: str) -> tuple[dict[str, Any], ...]:
    path = DATA / f"{name}.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: reinstall tagscope, or rebuild it with python -m tagscope.classify.build_data")
    with gzip.open(path, "rb") as fh:
        return tuple(orjson.loads(line) for line in fh)


def rows(name: str, split: str | tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Rows of a shipped set (``edos``, ``guest2021``, ``stance_feminist``, ``olid``, ``umsab_en``, ``testimony``)."""
    splits = (split,) if isinstance(split, str) else split
    return [r for r in _read(name) if splits is None or r["split"] in splits]


def texts_labels(items: list[dict[str, Any]], key: str = "label") -> tuple[list[str], list[str]]:
    return [r["text"] for r in items], [r[key] for r in items]
