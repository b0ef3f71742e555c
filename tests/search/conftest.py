"""Fixture for the search tests: a store built from hand-made v1.1 JSONL files in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tagscope.store import Store
from tweetfactory import write_jsonl


@pytest.fixture
def make_store(tmp_path: Path):
    """Build a store from lists of records, one ingested file per list."""
    made: list[Store] = []

    def make(*batches: list[Any]) -> Store:
        st = Store(tmp_path / "store")
        for i, records in enumerate(batches):
            st.ingest([str(write_jsonl(tmp_path / f"batch{i}.jsonl", records))])
        made.append(st)
        return st

    yield make
    for st in made:
        st.close()
