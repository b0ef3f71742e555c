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


