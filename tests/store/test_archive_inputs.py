"""X account archives are found inside folders and can be forced with --format x-archive."""

from __future__ import annotations

import shutil
from pathlib import Path

from tagscope.store import Store

ARCHIVE = Path(__file__).resolve().parents[1] / "data" / "x-archive"


def test_archive_folder_nested_in_a_folder(tmp_path: Path) -> None:
    outer = tmp_path / "collections"
    shutil.copytree(ARCHIVE / "folder", outer / "alice-archive")
    direct = Store(tmp_path / "direct")
    expected = direct.ingest([str(ARCHIVE / "folder")])
    nested = Store(tmp_path / "nested")
    got = nested.ingest([str(outer)])
    assert got["ingested"] == expected["ingested"] > 0
    assert got["quarantined"] == expected["quarantined"]


def test_format_forced_on_an_archive(tmp_path: Path) -> None:
    st = Store(tmp_path / "s")
    s = st.ingest([str(ARCHIVE / "folder")], fmt="x-archive")
    assert s["ingested"] > 0
    assert st.stats()["formats"] == {"x-archive": s["ingested"]}
