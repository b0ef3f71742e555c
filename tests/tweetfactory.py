"""Test helpers: small v1.1 records written by hand, so store rules are tested end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = Path(__file__).resolve().parent / "data"


def tweet(
    id_: str,
    text: str = "hello",
    *,
    user: str = "alice",
    uid: str | None = None,
    created: str = "Sat May 24 10:00:00 +0000 2014",
    tags: list[str] | None = None,
    followers: int | None = 10,
    retweet_of: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A minimal but real-shaped v1.1 status."""
    user_obj: dict[str, Any] = {"id_str": uid or f"u-{user}", "screen_name": user, "name": user.title()}
    if followers is not None:
        user_obj["followers_count"] = followers
    st: dict[str, Any] = {
        "id": int(id_) if id_.isdigit() else id_,
        "id_str": id_,
        "created_at": created,
        "text": text,
        "user": user_obj,
        "entities": {"hashtags": [{"text": t} for t in (tags or [])], "user_mentions": [], "urls": []},
        "lang": "en",
    }
    if retweet_of is not None:
        st["retweeted_status"] = retweet_of
        st["text"] = "RT @" + retweet_of["user"]["screen_name"] + ": " + retweet_of["text"][:100]
    st.update(extra)
    return st


def delete_notice(id_: str, user_id: str = "u-alice") -> dict[str, Any]:
    return {"delete": {"status": {"id": int(id_), "id_str": id_, "user_id_str": user_id}, "timestamp_ms": "1400925600000"}}


def write_jsonl(path: Path, records: list[Any]) -> Path:
    with open(path, "wb") as fh:
        for r in records:
            fh.write(r if isinstance(r, bytes) else orjson.dumps(r))
            fh.write(b"\n")
    return path




# Two days of the 2014 campaign, for stores whose figures are computed by hand.
DAY1 = "Sat May 24 10:00:00 +0000 2014"
DAY2 = "Sun May 25 18:30:00 +0000 2014"
CAMPAIGN_TWEETS = [
    tweet("1", "a", tags=["YesAllWomen"], created=DAY1),
    tweet("2", "b", user="bob", tags=["YesAllWomen"], created=DAY1),
    tweet("3", "c", user="cat", tags=["NotAllMen"], created=DAY1),
    tweet("4", "d", user="dan", tags=["YesAllWomen", "NotAllMen"], created=DAY2),
    tweet("5", "e", user="eve", tags=["Other"], created=DAY2),
]


def labelled_store(folder: Path, n: int, labels: dict[str, list[str]]):
    """A store of the first N of :data:`CAMPAIGN_TWEETS`, each model in LABELS giving one label per post."""
    from tagscope.classify import labels as label_store
    from tagscope.store import Store

    st = Store(folder / "store")
    st.ingest([str(write_jsonl(folder / "a.jsonl", CAMPAIGN_TWEETS[:n]))])
    ids = [str(i) for i in range(1, n + 1)]
    for model, values in labels.items():
        label_store.write(st, model, "v1", ["twitter"] * n, ids, values, [0.9] * n)
    return st
