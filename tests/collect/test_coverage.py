"""Coverage: `tagscope coverage`, the gaps analytic, and the report's "what this archive may lack"."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from jetgen import events
from tagscope.analytics.gaps import gaps
from tagscope.cli import app
from tagscope.store import Store, coverage

runner = CliRunner()


@pytest.fixture
def gapped(tmp_path: Path) -> Path:
    """A store of collected posts whose coverage has a run, a resumed disconnect and a gap."""
    st = Store(tmp_path / "s")
    f = tmp_path / "e.jsonl"
    f.write_bytes(b"\n".join(events(300)) + b"\n")
    st.ingest([str(f)])
    with st.writer():
        rid = coverage.record(st, "run", "bluesky", "ws://x/subscribe", start="2026-07-04T14:38:00.000Z",
                              cursor=1, reason="collecting #yesallwomen")
        d = coverage.record(st, "disconnect", "bluesky", "ws://x/subscribe", start="2026-07-04T14:38:01.000Z",
                            reason="ConnectionClosedError")
        coverage.update(st, d, end="2026-07-04T14:38:02.000Z")
        coverage.record(st, "gap", "bluesky", "ws://x/subscribe", start="2026-07-04T14:38:05.000Z",
                        end="2026-07-04T14:38:09.000Z", cursor=1783175885000000, reason="replay window")
        coverage.update(st, rid, end="2026-07-04T14:39:00.000Z")
    return st.path


def test_coverage_lists_every_entry_and_what_may_be_lacking(gapped: Path) -> None:
    res = runner.invoke(app, ["coverage", "--store", str(gapped), "--json"])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.stdout)
    assert [e["kind"] for e in out["entries"]] == ["run", "disconnect", "gap"]
    assert [e["kind"] for e in out["may_lack"]] == ["gap"]  # the disconnect was resumed: nothing lost
    assert out["may_lack"][0]["cursor"] == "1783175885000000"
    text = runner.invoke(app, ["coverage", "--store", str(gapped)]).stdout
    assert "What this archive may lack: 1 window" in text


def test_gaps_analytic_filters_by_window_and_platform(gapped: Path) -> None:
    st = Store(gapped)
    assert len(gaps(st).table) == 1
    assert len(gaps(st, since="2026-07-04T14:38:10").table) == 0  # the gap ended before
    assert len(gaps(st, until="2026-07-04T14:38:06").table) == 1  # it began before
    assert len(gaps(st, platform="mastodon").table) == 0
    assert gaps(st).data["collected"] is True


def test_a_store_from_files_has_no_coverage(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "e.jsonl"
    f.write_bytes(b"\n".join(events(30)) + b"\n")
    store.ingest([str(f)])
    fig = gaps(store)
    assert fig.data["collected"] is False and len(fig.table) == 0
    assert "No collection recorded" in runner.invoke(app, ["coverage", "--store", str(store.path)]).stdout


def test_the_report_says_what_the_archive_may_lack(gapped: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "yesallwomen", "--store", str(gapped), "-o", str(html)])
    assert res.exit_code == 0, res.output
    page = html.read_text()
    assert "What this archive may lack" in page and "replay window" in page and "2026-07-04 14:38:05" in page


def test_unknown_kind_is_refused(store: Store) -> None:
    with store.writer(), pytest.raises(ValueError, match="unknown coverage kind"):
        coverage.record(store, "outage", "bluesky", "x", start=coverage.now())


def test_the_dashboard_page_and_api_show_the_gaps(gapped: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from tagscope.web.app import create_app

    with TestClient(create_app(gapped)) as client:
        api = client.get("/api/gaps")
        assert api.status_code == 200, api.text
        assert [w["kind"] for w in api.json()["windows"]] == ["gap"]
        page = client.get("/gaps?tag=yesallwomen")  # the dashboard asks every page for its tag
        assert page.status_code == 200 and "replay window" in page.text
