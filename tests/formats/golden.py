"""Golden outputs of the format modules: what each representative fixture file maps to.

``python tests/formats/golden.py`` rewrites tests/data/golden/ from the current mapping; read the diff
by hand before committing it (test_golden.py compares against the committed files).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tagscope import formats
from tagscope.formats.base import Skipped, json_records
from tagscope.post import Tombstone

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "golden"

# (format, file under tests/data): a representative set per format.
CASES: list[tuple[str, str]] = [
    ("twitter-v1", "twitter-v1.1/python-twitter_extended_tweet_in_compat_mode.json"),
    ("twitter-v1", "twitter-v1.1/python-twitter_extended_tweet_in_extended_mode.json"),
    ("twitter-v1", "twitter-v1.1/python-twitter_status_quoted_tweet_with_media.json"),
    ("twitter-v1", "twitter-v1.1/tweepy_cassette_testgetretweets_body.json"),
    ("twitter-v1", "twitter-v1.1/tweet_parser_original_format_examples.jsonl"),
    ("twitter-v1", "twitter-v1.1/tweet_parser_missing_user.json"),
    ("twitter-v2", "twitter-v2/brexit.jsonl"),
    ("twitter-v2", "twitter-v2/flat.jsonl"),
    ("twitter-v2", "twitter-v2/edited.jsonl"),
    ("twitter-v2", "twitter-v2/edited_before.jsonl"),
    ("twitter-v2", "twitter-v2/streaming_output_with_error.jsonl"),
    ("twitter-v2", "twitter-v2/tweets_compliance.jsonl"),
    ("twitter-v2", "twitter-v2/mentions_tweet.jsonl"),
    ("twitter-v2", "twitter-v2/verified_type.jsonl"),
    ("gnip", "gnip/tweet_parser_activity_streams_examples.jsonl"),
    ("x-archive", "x-archive/twitter-2026-03-06-example.zip"),
    ("twarc-csv", "twarc-csv/brexit.csv"),
    ("twarc-csv", "twarc-csv/brexit_multiline.csv"),
    ("twarc-csv", "twarc-csv/edited.csv"),
    ("reddit-pushshift", "reddit-pushshift/pushshift_importer_test_comments.ndjson"),
    ("reddit-pushshift", "reddit-pushshift/pushshift_importer_test_submissions.ndjson"),
    ("mastodon", "mastodon/mastodon_social_statuses_from_mastodonpy_cassettes.jsonl"),
    ("mastodon", "mastodon/rtoot_get_timeline_hashtag_default_0.json"),
    ("mastodon", "mastodon/rtoot_get_account_statuses_limit_0.json"),
    ("mastodon", "mastodon/rtoot_get_context_with_ancesters_0.json"),
    ("mastodon", "mastodon/rtoot_get_status_default_0.json"),
    ("mastodon", "mastodon/mastodon_social_search_v2_2.json"),
    ("mastodon", "mastodon/localhost_reblog_1.json"),
    ("mastodon", "mastodon/localhost_reply_2.json"),
    ("mastodon", "mastodon/localhost_quotes_0.json"),
    ("mastodon", "mastodon/localhost_stream_user_local_5.txt"),
    ("mastodon", "mastodon/localhost_stream_direct_6.txt"),
    ("bluesky-jetstream", "bluesky-jetstream/jetstream_expected_v1.jsonl"),
    ("bluesky-jetstream", "bluesky-jetstream/jetstream_golden_v1.jsonl"),
    ("bluesky-appview", "bluesky-appview/thread_view_post_with_embed_media.json"),
    ("zeeschuimer", "zeeschuimer/zeeschuimer-export-mixed.ndjson"),
    ("4cat-ndjson", "4cat-ndjson/4cat-tiktok-instagram-threads.ndjson"),
    ("4cat-csv", "4cat-csv/4cat-tiktok-search.csv"),
    ("4cat-csv", "4cat-csv/4cat-twitterv2-search.csv"),
    ("4cat-csv", "4cat-csv/4cat-4chan-board.csv"),
    ("mapped", "mapped-csv/records/forum.mapped.jsonl"),
    ("bluesky-firehose", "bluesky-firehose/frames/frames.bin"),
    ("bluesky-car", "bluesky-firehose/car/repo.car"),
    ("bluesky-car", "bluesky-firehose/car/indigo_greenground.repo.car"),
    ("telegram-desktop", "telegram-desktop/channel_result.json"),
    ("telegram-desktop", "telegram-desktop/group_result_desktop2.json"),
    ("telegram-desktop", "telegram-desktop/account_result.json"),
]


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def normalise(fmt: str, path: Path) -> list[dict[str, Any]]:
    """Every record of a file as {line, posts, tombstones} or {line, error}, JSON-ready."""
    mod = formats.get(fmt)
    out: list[dict[str, Any]] = []
    if hasattr(mod, "path_records") and mod.claims_path(path):
        recs = list(mod.path_records(path))
    else:
        with open(path, "rb") as fh:
            recs = list(getattr(mod, "records", json_records)(fh, str(path)))
    for rec in recs:
        if rec.error is not None:
            out.append({"line": rec.line, "error": rec.error})
            continue
        try:
            items = mod.parse(rec.obj)
        except formats.ParseError as exc:
            out.append({"line": rec.line, "error": str(exc)})
            continue
        posts = [{k: _jsonable(v) for k, v in it.items() if k != "_raw"} for it in items if isinstance(it, dict)]
        tombs = [{"id": t.id, "reason": t.reason, "at": _jsonable(t.at)} for t in items if isinstance(t, Tombstone)]
        entry = {"line": rec.line, "posts": posts, "tombstones": tombs}
        skipped = [it.reason for it in items if isinstance(it, Skipped)]
        if skipped:  # only where a format leaves posts out on purpose (older goldens have no key)
            entry["skipped"] = skipped
        out.append(entry)
    return out


def golden_path(rel: str) -> Path:
    return GOLDEN / (rel.replace("/", "__") + ".json")


def write_all() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for fmt, rel in CASES:
        data = normalise(fmt, DATA / rel)
        golden_path(rel).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_all()
