"""The report's stance/backlash chart on real labels, and numbers that never break across lines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from tagscope.analytics.backlash import backlash
from tagscope.report import build_report
from tagscope.report.render import figure_body
from tagscope.store import Store
from tweetfactory import labelled_store, tweet, write_jsonl


@pytest.fixture
def stance_store(tmp_path: Path):
    st = labelled_store(tmp_path, 4, {"stance": ["favor", "against", "against", "none"]})
    yield st
    st.close()


def _series(html: str) -> list[str]:
    return re.findall(r'<path class="series" data-series="([^"]*)"', html)


def test_backlash_chart_draws_no_counter_line_without_counter_tags(stance_store) -> None:
    alone = figure_body(backlash(stance_store, "yesallwomen"), name="backlash", title="Stance and backlash")
    assert _series(alone) == ["against share"]
    assert "% of posts: against share" in alone
    both = figure_body(backlash(stance_store, "yesallwomen", counter=["notallmen"]), name="backlash",
                       title="Stance and backlash")
    assert _series(both) == ["against share", "counter share"]
    legend = re.findall(r'<g class="legend">.*?<text[^>]*>([^<]*)</text>', both)
    assert legend == ["against share", "counter share"]  # shares, not hashtags: no '#'


def test_numbers_in_report_tables_do_not_wrap(stance_store) -> None:
    html = build_report(stance_store, "yesallwomen", generated_at=datetime(2026, 1, 1)).html
    rule = re.search(r"td\.num\s*\{([^}]*)\}", html)
    assert rule and "white-space: nowrap" in rule.group(1)
    assert '<td class="num">' in html


def test_backlash_without_stance_labels_draws_no_chart(tmp_path: Path) -> None:
    st = Store(tmp_path / "bare")
    st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [tweet("1", "a", tags=["YesAllWomen"])]))])
    body = figure_body(backlash(st, "yesallwomen"), name="backlash", title="Stance and backlash")
    assert "<svg" not in body  # no share to draw; before, its posts per bucket became a 'Stance and backlash' bar chart
    assert 'id="table-backlash"' in body
    st.close()


def test_report_cli_rejects_a_window_that_ends_before_it_starts(stance_store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tagscope.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "yesallwomen", "--store", str(stance_store.path), "-o", str(out),
                                   "--since", "2014-06-01", "--until", "2014-05-01"])
    assert res.exit_code == 2 and "is not before --until" in " ".join(res.output.split())
    assert not out.exists()
