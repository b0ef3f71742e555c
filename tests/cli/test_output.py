"""The terminal table of a Figure: every value whole, however narrow the terminal."""

from __future__ import annotations

import io
from datetime import datetime

import pyarrow as pa
from rich.console import Console

from tagscope.analytics import registry
from tagscope.analytics.figure import Figure
from tagscope.cli.output import table


def shown(spec: registry.Analytic, fig: Figure, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(table(spec, fig, width))
    return console.export_text()


def test_times_and_numbers_are_never_cut():
    """A bucket printed as '2014-05-25T01:…' lost its day and hour, a count as '4,701,5…' its last
    digits: columns of times and numbers keep their width, text columns wrap (and fold long words)."""
    shares = {"against_share": 0.1024, "against_low": 0.0915, "against_high": 0.1145,
              "counter_share": 0.2387, "counter_low": 0.2242, "counter_high": 0.2539}
    row = {"bucket": datetime(2014, 5, 25, 1), "posts": 2676, "labelled": 2676, "against": 274, "counter_posts": 753,
           **shares}
    fig = Figure("backlash", pa.Table.from_pylist([row]), {})
    for width in (80, 100):
        text = shown(registry.get("backlash"), fig, width)
        assert "2014-05-25T01:00:00Z" in text and "…" not in text
    row = {"author": "copperacorn_longhandle", "followers": 4_701_528, "posts": 5, "reach": 23_507_940,
           "engagement": 565, "name": "Relian Ravström", "verified": True, "platform": "twitter", "author_id": "20095028"}
    fig = Figure("notables", pa.Table.from_pylist([row]), {"hashtag": "yesallwomen", "by": "followers"})
    text = shown(registry.get("notables"), fig, 100)
    assert "4,701,528" in text and "23,507,940" in text and "…" not in text
