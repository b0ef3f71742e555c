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
    from tagscope.report import figures

    monkeypatch.setattr(figures, "OVERRIDES", dict(FAKES))
    # Analytics without a stand-in count as not installed, so those panels are tested too.
    monkeypatch.setattr(figures, "LOCATIONS", {k: [] for k in figures.LOCATIONS})
    return FAKES
