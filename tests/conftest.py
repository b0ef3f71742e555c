"""Shared fixtures; record builders live in tweetfactory.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture

def store(tmp_path: Path):
    from tagscope.store import Store

    st = Store(tmp_path / "store")
    yield st
    st.close()
