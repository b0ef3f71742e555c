"""Fixtures for the report tests: a small campaign store and stand-in analytics."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.campaign import build
from report.fakes import FAKES


@pytest.fixture
def campaign_store(tmp_path: Path):
    from tagscope.store import Store

    path = build(tmp_path / "store", tmp_path)
    st = Store(path)
    yield st
    st.close()


@pytest.fixture
def fake_analytics(monkeypatch: pytest.MonkeyPatch):
    """Use the stand-ins (documented shapes, fixed numbers) instead of whatever analytics exist."""
    from tagscope.analytics import registry
    from tagscope.web import queries

    monkeypatch.setattr(queries, "search_function", lambda: FAKES["search"])
    # Analytics without a stand-in count as not installed, so those panels are tested too.
    stand_ins = {spec.name: FAKES.get(spec.name) or registry.unavailable(spec.name) for spec in registry.analytics()}
    with registry.substituted(stand_ins):
        yield FAKES
