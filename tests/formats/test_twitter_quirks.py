"""Twitter files as researchers really hold them (issue #19): three shapes found on public files that
were not read, each tested on a sample cut from the real fixtures.

- bare API v2 tweet objects, one per line, no page and no ``entities`` (tweet.fields without entities);
- reduced v1.1 records: ``user_id_str`` (and ``screen_name``) in place of the ``user`` object;
- an X archive folder without ``data/account.js``.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from formats.both_paths import both, fast_path
from tagscope import formats
from tagscope.formats.base import FormatWarning
from tagscope.formats.twitter import v1, v2
from tagscope.formats.twitter import v2_native as twitter_v2_native
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
_BARE_KEYS = ("edit_history_tweet_ids", "author_id", "conversation_id", "created_at", "lang", "id", "text",
              "public_metrics", "referenced_tweets", "in_reply_to_user_id")


def _page_tweets() -> list[dict[str, Any]]:
    """The tweets of the real v2 pages of brexit.jsonl (with their entities, to compare against)."""
    lines = (DATA / "twitter-v2" / "brexit.jsonl").read_bytes().splitlines()
    return [tw for line in lines if line.strip() for tw in orjson.loads(line)["data"]]


def _bare(tw: dict[str, Any]) -> dict[str, Any]:
    """A tweet as an API response's data[] item requested without entities: no page, no includes."""
    return {k: tw[k] for k in _BARE_KEYS if k in tw}


def _bare_lines() -> bytes:
    return b"".join(orjson.dumps(_bare(tw)) + b"\n" for tw in _page_tweets())


def test_bare_v2_tweets_are_sniffed(tmp_path: Path) -> None:
    head = _bare_lines()[:65536]
    assert formats.sniff(head) is formats.get("twitter-v2")
    accepted = [name for name, mod in formats.FORMATS.items() if mod.sniff(head)]
    assert accepted == ["twitter-v2"]
    (tmp_path / "bare.jsonl").write_bytes(_bare_lines())
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(tmp_path / "bare.jsonl")])
    assert summary["files"][0]["format"] == "twitter-v2"
    assert summary["quarantined"] == 0 and summary["ingested"] == len(_page_tweets())


def test_bare_v2_tweets_get_the_tags_and_mentions_their_entities_would_give() -> None:
    """Read from the text, a tweet's hashtags and mentions are those the API's entities list, on every
    tweet of a real page that is not a retweet (a retweet's text is cut: its entities are the original's)."""
    checked = 0
    for tw in _page_tweets():
        if any(r.get("type") == "retweeted" for r in tw.get("referenced_tweets") or ()):
            continue
        post = v2.parse(_bare(tw))[-1]
        ents = tw.get("entities") or {}
        assert post["hashtags"] == list(dict.fromkeys(h["tag"] for h in ents.get("hashtags", []))), tw["id"]
        assert post["mentions"] == list(dict.fromkeys(m["username"] for m in ents.get("mentions", []))), tw["id"]
        assert post["urls"] == []  # t.co links only entities expand: not read
        checked += 1
    assert checked >= 5


def test_a_record_with_entities_keeps_reading_them() -> None:
    tw = {"id": "1", "author_id": "2", "created_at": "2021-09-22T16:37:29.000Z", "text": "#Written here",
          "entities": {"hashtags": [{"start": 0, "end": 8, "tag": "Listed"}]}}
    assert v2.parse(tw)[0]["hashtags"] == ["Listed"]
    assert v2.parse({**tw, "entities": {}})[0]["hashtags"] == []  # entities given, none listed: none
    assert v2.parse({k: v for k, v in tw.items() if k != "entities"})[0]["hashtags"] == ["Written"]


@pytest.fixture(params=["native", "duckdb"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    return fast_path(request.param, monkeypatch, twitter_v2_native)


def test_a_page_is_read_from_its_entities_on_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         fast: str) -> None:
    """In a page, an absent ``entities`` means none (the API leaves it out of a tweet that has none): the
    text is not read, so the fast paths, which map pages from entities alone, store what Python does."""
    lines = (DATA / "twitter-v2" / "brexit.jsonl").read_bytes().splitlines()
    pages = []
    for line in lines[:2]:
        page = orjson.loads(line)
        for tw in page["data"][::2]:
            tw.pop("entities", None)
        pages.append(orjson.dumps(page))
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, b"\n".join(pages) + b"\n", monkeypatch, "twitter-v2")
    assert sql_sum == py_sum and sql_tables == py_tables
    page = orjson.loads(pages[0])
    bare_in_page = next(tw for tw in page["data"] if "entities" not in tw and "#" in tw["text"]
                        and not tw.get("referenced_tweets"))
    assert v2.parse({"data": [bare_in_page]})[0]["hashtags"] == []
    assert v2.parse(bare_in_page)[0]["hashtags"] != []  # the same tweet alone is read from its text


def _reduced(st: dict[str, Any]) -> dict[str, Any]:
    """A v1.1 status as tweet-id datasets and some hydrators reduce it: the user's id and handle only."""
    out = {k: st[k] for k in ("created_at", "id", "id_str", "text", "lang", "entities", "in_reply_to_status_id_str",
                              "favorite_count", "retweet_count") if k in st}
    return out | {"user_id_str": st["user"]["id_str"], "screen_name": st["user"]["screen_name"]}


def _v1_statuses() -> list[dict[str, Any]]:
    lines = (DATA / "twitter-v1.1" / "tweet_parser_original_format_examples.jsonl").read_bytes().splitlines()
    return [orjson.loads(x) for x in lines if x.strip()]


def test_reduced_v1_records_are_mapped_with_their_author(tmp_path: Path) -> None:
    statuses = [st for st in _v1_statuses() if isinstance(st.get("user"), dict) and "retweeted_status" not in st]
    data = b"".join(orjson.dumps(_reduced(st)) + b"\n" for st in statuses)
    assert formats.sniff(data[:65536]) is formats.get("twitter-v1")
    (tmp_path / "reduced.jsonl").write_bytes(data)
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(tmp_path / "reduced.jsonl")])
        rows = {r["id"]: r for r in store.sql("SELECT id, author_id, author_handle, created_at, hashtags FROM posts").to_pylist()}
    assert summary["quarantined"] == 0 and len(rows) == len(statuses)
    for st in statuses:
        full = v1.parse_status(st)
        row = rows[full["id"]]
        assert (row["author_id"], row["author_handle"]) == (st["user"]["id_str"], st["user"]["screen_name"])
        assert (row["created_at"], row["hashtags"]) == (full["created_at"], full["hashtags"])


def test_a_reduced_record_without_any_user_id_is_still_quarantined() -> None:
    assert json.loads((DATA / "golden" / "twitter-v1.1__tweet_parser_missing_user.json.json").read_text()) == [
        {"line": 1, "error": "missing user"}]
    st = _reduced(_v1_statuses()[0])
    with pytest.raises(formats.ParseError, match="id is not an integer"):
        v1.parse({k: v for k, v in st.items() if k != "user_id_str"} | {"user_id": 8.7e17})


def _archive_without_account(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(DATA / "x-archive" / "folder", folder)
    (folder / "data" / "account.js").unlink()
    return folder


def test_an_archive_without_account_js_keeps_its_tweets_and_warns_once(tmp_path: Path) -> None:
    folder = _archive_without_account(tmp_path)
    with Store(tmp_path / "s") as store, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = store.ingest([str(folder)])
        reasons = store.sql("SELECT reason FROM quarantine").column("reason").to_pylist() if summary["quarantined"] else []
        posts = store.sql("SELECT id, author_id, author_handle FROM posts").to_pylist()
    said = [str(w.message) for w in caught if issubclass(w.category, FormatWarning)]
    assert len(said) == 1 and "no data/account.js" in said[0] and "unknown author" in said[0]
    assert not any("missing author" in r for r in reasons)
    assert posts and all(p["author_id"] is None and p["author_handle"] is None for p in posts)
    with Store(tmp_path / "whole") as store:
        store.ingest([str(DATA / "x-archive" / "folder")])
        whole = {p["id"] for p in store.sql("SELECT id FROM posts").to_pylist()}
    assert {p["id"] for p in posts} == whole  # the same tweets as from the whole archive


def test_the_author_is_filled_in_when_the_whole_archive_comes_later(tmp_path: Path) -> None:
    folder = _archive_without_account(tmp_path)
    with Store(tmp_path / "s") as store, warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        store.ingest([str(folder)])
        store.ingest([str(DATA / "x-archive" / "folder")])
        authors = set(store.sql("SELECT author_id FROM posts").column("author_id").to_pylist())
    assert authors == {"1590000000000000001"}


def test_one_archive_file_alone_is_read_with_a_warning(tmp_path: Path) -> None:
    tweets = tmp_path / "tweets.js"
    shutil.copy(DATA / "x-archive" / "folder" / "data" / "tweets.js", tweets)
    with Store(tmp_path / "s") as store, pytest.warns(FormatWarning, match="no data/account.js"):
        summary = store.ingest([str(tweets)])
    assert summary["ingested"] > 0 and summary["quarantined"] == 0


def test_cli_prints_the_warning_once(tmp_path: Path) -> None:
    from tagscope.cli import app

    folder = _archive_without_account(tmp_path)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert result.output.count("no data/account.js") == 1 and "warning:" in result.output
