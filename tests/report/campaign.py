"""A small hand-made campaign written as v1.1 JSONL and ingested through the real store path."""

from __future__ import annotations

from pathlib import Path

from tweetfactory import tweet, write_jsonl

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2"> #YesAllWomen'


def campaign_records() -> list[dict]:
    recs = [
        tweet("1001", "Because every woman knows #YesAllWomen https://t.co/x", user="kaye", followers=120,
              created="Sat May 24 22:05:00 +0000 2014",
              entities={"hashtags": [{"text": "YesAllWomen"}], "user_mentions": [],
                        "urls": [{"url": "https://t.co/x", "expanded_url": "https://www.example.org/yesallwomen-story"}]}),
        tweet("1002", "#YesAllWomen #NotAllMen is not the point", user="celeb", followers=2_500_000,
              created="Sun May 25 09:00:00 +0000 2014", tags=["YesAllWomen", "NotAllMen"], verified=True),
        tweet("1003", XSS, user="mallory", followers=5, created="Sun May 25 10:00:00 +0000 2014",
              tags=["YesAllWomen"]),
        tweet("1004", "so tired of this #yesallwomen #everydaysexism", user="bea", followers=300,
              created="Sun May 25 12:30:00 +0000 2014", tags=["yesallwomen", "everydaysexism"]),
        tweet("1005", "#NotAllMen though", user="troll", followers=40, created="Mon May 26 08:00:00 +0000 2014",
              tags=["NotAllMen"]),
    ]
    for i in range(30):
        recs.append(tweet(str(2000 + i), f"voice {i} #YesAllWomen", user=f"user{i % 7}", followers=50 + i,
                          created=f"Mon May 26 {10 + i % 12:02d}:{i:02d}:00 +0000 2014", tags=["YesAllWomen"]))
    return recs


def build(store_path: Path, work: Path) -> Path:
    from tagscope.store import Store

    src = write_jsonl(work / "campaign.jsonl", campaign_records())
    with Store(store_path) as st:
        st.ingest([str(src)])
    return store_path
