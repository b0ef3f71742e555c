"""The report's opening sentence reads as a sentence: no space before its comma or full stop."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tagscope.report import build_report
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl


def _lede(html: str) -> str:
    m = re.search(r'<p class="lede">(.*?)</p>', html, re.S)
    assert m
    return " ".join(re.sub(r"<[^>]+>", "", m.group(1)).split())


def test_lede_punctuation(tmp_path: Path) -> None:
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [
        tweet("1", "a", tags=["YesAllWomen"]), tweet("2", "b", user="bob", tags=["NotAllMen"]),
    ]))])
    when = datetime(2026, 1, 1)
    alone = _lede(build_report(st, "yesallwomen", generated_at=when).html)
    assert alone == "1 post used #yesallwomen between 24 May 2014 10:00 and 24 May 2014 10:00 UTC."
    both = _lede(build_report(st, "yesallwomen", compare=["notallmen"], generated_at=when).html)
    assert both.endswith("UTC, compared with #notallmen.")
    st.close()
