"""Drawing helpers: ticks, markers, escaping, highlighting, pseudonyms."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from tagscope.analytics.figure import Figure
from tagscope.report.pseudonym import Pseudonymiser, load_key
from tagscope.report.render import (
    bar_rows,
    crossing_markers,
    highlight,
    highlight_spans,
    parse_time,
    table_html,
    trend_series,
)
from tagscope.report.svg import bar_chart, fmt_num, line_chart, nice_ticks


def test_nice_ticks_cover_the_maximum():
    assert nice_ticks(37) == [0, 10, 20, 30, 40]
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(1_234_567)[-1] >= 1_234_567


def test_fmt_num():
    assert [fmt_num(v) for v in (3, 1234, 25_000, 1_500_000, 2_000_000)] == ["3", "1,234", "25k", "1.5M", "2M"]


def test_trend_series_and_crossings():
    fig = Figure("trend", pa.table({}), {"series": [
        {"hashtag": "a", "bucket": "2014-05-25T00:00:00Z", "count": 900},
        {"hashtag": "a", "bucket": "2014-05-24T00:00:00Z", "count": 10},
        {"hashtag": "a", "bucket": "2014-05-26T00:00:00Z", "count": 12_000},
    ]})
    s = trend_series(fig)
    assert [t.day for t, _ in s["a"]] == [24, 25, 26]
    marks = crossing_markers(s["a"])
    assert [(m.at.day, m.label) for m in marks] == [(26, "1,000 uses"), (26, "10k uses")]


def test_parse_time():
    assert parse_time("2014-05-24") == datetime(2014, 5, 24)
    assert parse_time("2014-05-24T10:00:00+02:00") == datetime(2014, 5, 24, 8)
    assert parse_time("tomorrow") is None


def test_line_chart_escapes_names_and_carries_brush_domain():
    svg = line_chart({"<b>": [(datetime(2014, 5, 24), 1.0), (datetime(2014, 5, 25), 3.0)], "x": []},
                     chart_id="c", title="t<")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "t&lt;" in svg
    assert 'data-t0="1400889600000"' in svg and 'data-t1="1400976000000"' in svg


def test_bar_rows_pick_the_ranked_measure():
    rows = [{"author": "a", "posts": 1, "followers": 900}, {"author": "b", "posts": 5, "followers": 10}]
    assert bar_rows(rows) == [("a", 900.0), ("b", 10.0)]
    assert bar_rows([{"x": [1]}]) == []
    assert "<svg" in bar_chart(bar_rows(rows), chart_id="b", title="t")


@given(st.text(max_size=40), st.lists(st.text(min_size=1, max_size=5), max_size=3))
def test_highlight_never_leaks_markup(text, terms):
    out = str(highlight(text, terms))
    assert "<" not in out.replace("<mark>", "").replace("</mark>", "")


def test_highlight_spans():
    assert str(highlight_spans("a <b> c", [(2, 5)])) == "a <mark>&lt;b&gt;</mark> c"


def test_table_html_formats_and_escapes():
    html = str(table_html([{"name": "<i>", "count": 12345, "share": 0.25, "when": None}], table_id="t"))
    assert "&lt;i&gt;" in html and "12,345" in html and 'class="num"' in html and "–" in html


def test_table_ids_are_never_wrapped():
    html = str(table_html([{"author": "a", "author_id": "1234567890123456789", "id": "42", "bio": "x"}], table_id="t"))
    assert html.count('<td class="id">') == 2  # a 19-digit id was broken over two lines in a narrow column
    assert "<td>x</td>" in html


def test_pseudonyms_stable_keyed_and_not_for_public_figures(tmp_path):
    key = load_key(tmp_path)
    assert load_key(tmp_path) == key  # kept in the store
    p = Pseudonymiser(key, notables=["Famous"])
    a = p.name("someone")
    assert a and a.startswith("author-") and a == p.name("SomeOne") and a != Pseudonymiser(b"k" * 32).name("someone")
    assert p.name("famous") == "famous"
    assert p.name("big", {"followers": 20_000}) == "big"
    assert p.name("tick", {"author_verified": True}) == "tick"
    row = p.row({"author": "someone", "author_name": "Some One", "count": 3})
    assert row == {"author": a, "author_name": "(hidden)", "count": 3}
    assert Pseudonymiser(key, reveal=True).row({"author": "someone"}) == {"author": "someone"}


def test_close_markers_stack_their_labels() -> None:
    """Milestones an hour apart on a month-long chart must not print their labels on top of each other."""
    import re
    from datetime import datetime, timedelta

    from tagscope.report.svg import Marker, line_chart

    t0 = datetime(2014, 5, 24)
    pts = [(t0 + timedelta(days=d), float(d)) for d in range(30)]
    markers = [Marker(t0 + timedelta(hours=1), "1,000 uses"), Marker(t0 + timedelta(hours=2), "10k uses"),
               Marker(t0 + timedelta(days=20), "100k uses")]
    svg = line_chart({"a": pts}, chart_id="c", title="t", markers=markers)
    ys = {label: int(y) for y, label in re.findall(r'<text x="[\d.]+" y="(\d+)">([^<]+ uses)</text>', svg)}
    assert ys["1,000 uses"] != ys["10k uses"]
    assert ys["100k uses"] == ys["1,000 uses"]  # far apart: same row
