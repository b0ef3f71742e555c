"""The store, queries and filters of count-query's scan-vs-index parity (tests/search/test_scan.py on
DuckDB, tests/engines/test_spark_count_query.py on Spark).

The store: every sample file of tests/data (real posts of each platform and export: Italian, Korean,
Japanese, Arabic... text, reposts, quotes, replies, posts without text or handle, sub-second times),
the search tests' CORPUS, and hand-made traps for the analysis: accents, full-width letters, ß,
final sigma, dotted I, CJK runs, emoji with skin-tone modifiers and ZWJ sequences, a hashtag written
in the text but absent from the entities (so from ``hashtags_norm``), a token too long to index in the
middle of a phrase, full-width mentions and handles, a repost, and posts in the repeated hour of a
clock change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.searchdata import CORPUS, post
from tagscope.store import Store
from tweetfactory import DATA, tweet, write_jsonl

LONG = "x" * 90  # >= 80 bytes: the analyzer drops it, yet it takes a position


def _at(id_: str, text: str, created: str, **kw: Any) -> dict[str, Any]:
    return post(id_, text, **kw) | {"created_at": created}


def traps() -> list[dict[str, Any]]:
    subject = post("t-subj", "Supreme gentleman café, read by everyone #YesAllWomen", user="zoe", tags=["YesAllWomen"], day=25)
    return [
        subject,
        tweet("t-rt", user="yann", retweet_of=subject, created="Sun May 25 11:00:00 +0000 2014"),
        post("t-cafe", "Café CAFÉ cafe ｃａｆé and a caf\u0065\u0301 (combining accent)", user="Ｚｏｅ", day=24, lang="fr"),
        post("t-ss", "Straße STRASSE strasse, Maßnahme; ΟΔΟΣ and İstanbul", user="ulla", day=24, lang="de"),
        post("t-cjk", "東京タワーに行きました。日本語のテキスト and 서울 잇츠라이브", user="ken", day=25, lang="ja"),
        post("t-emoji", "thumbs 👍🏽 family 👩\u200d👩\u200d👧 heart ❤️ fire🔥🔥 done👍", user="mia", day=25),
        post("t-intext", "#YesAllWomen written in the text only, not in the entities", user="nia", day=26),
        post("t-long", f"the supreme {LONG} gentleman is not adjacent", user="oli", day=26),
        post("t-mention", "thanks ＠Ａｌｉｃｅ and @BOB for don't-stop feminism_2014", user="pam", day=26,
             mentions=["Ａｌｉｃｅ", "BOB"]),
        post("t-nfkc", "ﬁnal ﬂow ①②③ ＦＥＭＩＮＩＳＭ feminists", user="quin", day=27),
        # The repeated hour of 2 Nov 2014 in New York (01:00-02:00 twice) and a half-hour zone's edge.
        _at("t-dst1", "clock change first pass #YesAllWomen", "Sun Nov 02 05:30:00 +0000 2014", user="rae", tags=["YesAllWomen"]),
        _at("t-dst2", "clock change second pass #YesAllWomen", "Sun Nov 02 06:30:00 +0000 2014", user="rae", tags=["YesAllWomen"]),
        _at("t-ist", "half hour zone feminism", "Sat May 24 18:29:59 +0000 2014", user="sam"),
    ]


def sample_files() -> list[str]:
    """Every real sample file under tests/data (goldens and provenance notes left out)."""
    return sorted(str(p) for p in DATA.glob("*/*") if p.is_file() and p.suffix != ".md" and p.parent.name != "golden")


def build(folder: Path) -> Store:
    st = Store(folder / "store")
    st.ingest(sample_files())
    st.ingest([str(write_jsonl(folder / "made.jsonl", CORPUS + traps()))])
    return st


# Every query feature: words (stemmed), phrases, prefixes, #tags, @mentions, AND/OR/NOT/-/( ), CJK,
# emoji, and the Unicode traps above; most match real sample posts as well.
QUERIES = [
    "gentleman", "GENTLEMEN", "feminism", "femin*", "ＦＥＭＩＮ*", "niñ*", "lega*", "x*",
    '"supreme gentleman"', '"the supreme gentleman"', f'"supreme {LONG} gentleman"', '"t co"', "t co",
    "café", "ｃａｆｅ", "straße", "STRASSE", "maßnahme", "οδος", "istanbul", "İstanbul",
    "東京", '"東京タワー"', "タワー", "日本語", "잇츠라이브", "서울",
    "👍", "👍🏽", "❤️", "🔥", "👩\u200d👩\u200d👧",
    "#yesallwomen", "#ＹｅｓＡｌｌＷｏｍｅｎ", "yesallwomen", "#brexit", "brexit", "#kpop", "#잇츠라이브",
    "@alice", "@ＡＬＩＣＥ", "@bob", "@shiawaseomamori", "@Borghi_Claudio",
    "salvini OR meloni", "salvini AND NOT meloni", "salvini -meloni", "(brexit OR kpop) AND NOT #brexit",
    "NOT the", "-https", "the AND (of OR to) -is", "don't", "final", "123", "2014", "feminism_2014",
    "obama", "reliance", "berlusconi lega", '"cool guy"',
]

# Filters and bucketings: each a count_query call over every query.
FILTERS: list[dict[str, Any]] = [
    {"every": "week"},
    {"every": "day", "tz": "America/New_York", "since": "2022-09-01", "until": "2022-10-01"},
    {"every": "hour", "tz": "Asia/Kolkata", "since": "2014-05-24", "until": "2014-05-27"},
    {"every": "hour", "tz": "America/New_York", "since": "2014-11-01", "until": "2014-11-03"},
    # The index keeps whole seconds: a post at 05:25:16.84 is in [15.5, 16.5) for it, and so for the scan.
    {"every": "minute", "since": "2026-08-02T05:25:15.5", "until": "2026-08-02T05:25:16.5"},
    {"every": "minute", "since": "2026-08-02T05:25:16.5", "until": "2026-08-02T05:40"},
    {"every": "day", "platform": "twitter", "no_reposts": True, "since": "2021-01-01"},
    {"every": "week", "tag": "#ＢＲＥＸＩＴ"},
    {"every": "week", "author": "@phillynefl"},
    {"every": "week", "author": "ｚｏｅ"},
    {"every": "week", "lang": "it", "kind": "original"},
    {"every": "day", "kind": "repost", "tz": "Europe/London", "since": "2020-01-01", "until": "2023-01-01"},
    {"every": "week", "platform": "Bluesky", "until": "2030-01-01"},
]
