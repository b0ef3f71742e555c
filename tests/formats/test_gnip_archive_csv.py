"""Gnip Activity Streams, the X account archive and twarc-csv: the traps, checked by hand."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from tagscope.formats import ParseError
from tagscope.formats.twitter import gnip, twarc_csv, x_archive
from tagscope.post import Tombstone

DATA = Path(__file__).resolve().parents[1] / "data"
ARCHIVE = DATA / "x-archive"


def test_gnip_delete_and_system_messages() -> None:
    act = {"verb": "delete", "object": {"id": "tag:search.twitter.com,2005:867478524235366400"},
           "postedTime": "2017-05-24T20:40:00.000Z", "actor": {"id": "id:twitter.com:1"}}
    [tomb] = gnip.parse(act)
    assert (tomb.id, tomb.reason) == ("867478524235366400", "deleted")
    assert gnip.parse({"info": {"message": "Replay Request Completed"}}) == []
    with pytest.raises(ParseError, match="missing actor"):
        gnip.parse({"verb": "post", "id": "tag:search.twitter.com,2005:1", "postedTime": "2017-05-24T20:40:00.000Z"})


def test_gnip_reply_id_from_in_reply_to_link() -> None:
    posts = [gnip.parse(orjson.loads(line))[0]
             for line in (DATA / "gnip" / "tweet_parser_activity_streams_examples.jsonl").read_bytes().splitlines()]
    replies = [p for p in posts if p["kind"] == "reply"]
    assert replies and all(p["reply_to_id"].isdigit() for p in replies)


def _archive_items(path: Path) -> tuple[list[dict], list[Tombstone], list]:
    recs = list(x_archive.path_records(path))
    items = [i for r in recs if r.error is None for i in x_archive.parse(r.obj)]
    return [i for i in items if isinstance(i, dict)], [i for i in items if isinstance(i, Tombstone)], recs


@pytest.mark.parametrize("name", ["folder", "twitter-2026-03-06-example.zip"])
def test_archive_folder_and_zip_give_the_same_posts(name: str) -> None:
    posts, tombs, recs = _archive_items(ARCHIVE / name)
    assert len(posts) == 8 and len(tombs) == 47 + 2
    assert len({r.line for r in recs}) == len(recs)  # numbered on across the files
    by_id = {p["id"]: p for p in posts}
    first = by_id["1600000000000000001"]
    assert (first["author_id"], first["author_handle"], first["author_name"]) == (
        "1590000000000000001", "ts_example", "Example Archive Owner")
    assert first["author_bio"] == "Invented account for tagscope tests." and first["author_followers"] is None
    assert (first["like_count"], first["repost_count"]) == (12, 3)  # counts are strings in the archive
    assert first["hashtags_norm"] == ["yesallwomen", "notallmen"]
    rt = by_id["1600000000000000003"]
    assert (rt["kind"], rt["repost_of_author"], rt["like_count"]) == ("repost", "campaign_voice", None)
    assert rt["text"].startswith("RT @campaign_voice: ")  # the original is not in the archive
    assert "1600000000000000005" not in by_id and by_id["1600000000000000006"]["text"] == "First draft of a thought"
    assert by_id["2027697170808189417"]["community"] == "2015792172985921708"
    assert {t.reason for t in tombs} == {"deleted", "edited"}
    deleted = [t for t in tombs if t.id == "2029583929812873669"]
    assert deleted and deleted[0].at is not None


def test_archive_records_are_self_contained() -> None:
    rec = next(r for r in x_archive.path_records(ARCHIVE / "folder") if r.error is None)
    assert x_archive.parse(orjson.loads(rec.raw)) == x_archive.parse(rec.obj)
    assert orjson.loads(rec.raw)["account"]["username"] == "ts_example"


def test_lone_archive_file_is_read_with_an_unknown_author() -> None:
    """Issue #19: a file alone (no account.js) keeps its tweets, author unknown, with one warning."""
    from tagscope.formats.base import FormatWarning

    data = (ARCHIVE / "folder" / "data" / "tweets.js").read_bytes()
    with pytest.warns(FormatWarning, match=r"no data/account\.js") as said:
        recs = list(x_archive.records(io.BytesIO(data)))
    assert len(recs) == 4 and len(said) == 1
    post = x_archive.parse(recs[0].obj)[-1]
    assert post["author_id"] is None and post["id"]
    deleted = (ARCHIVE / "folder" / "data" / "deleted-tweets.js").read_bytes()
    tombs = [t for r in x_archive.records(io.BytesIO(deleted)) for t in x_archive.parse(r.obj)]  # no warning
    assert len(tombs) == 47 and all(isinstance(t, Tombstone) for t in tombs)


def test_broken_archive_file_is_one_error_record() -> None:
    [rec] = list(x_archive.records(io.BytesIO(b"window.YTD.tweets.part0 = [ {\"tweet\" : ")))
    assert rec.error and "invalid archive file" in rec.error


def _csv_records(data: bytes) -> list:
    return list(twarc_csv.records(io.BytesIO(data)))


def test_csv_rows_lines_and_malformed_rows() -> None:
    header = (DATA / "twarc-csv" / "brexit.csv").read_bytes().split(b"\n", 1)[0]
    rows = (DATA / "twarc-csv" / "brexit.csv").read_bytes().split(b"\n")[1:3]
    data = header + b"\n" + rows[0] + b"\n\n" + b"1,2,3\n" + rows[1] + b"\n"
    recs = _csv_records(data)
    assert [r.line for r in recs] == [2, 4, 5]
    assert recs[1].error and "fields where the header has" in recs[1].error
    assert recs[0].error is None and recs[0].obj["id"] == "1440716895355764743"
    assert twarc_csv.parse(orjson.loads(recs[0].raw)) == twarc_csv.parse(recs[0].obj)


def test_csv_multiline_fields_and_newline_escapes_give_the_same_text() -> None:
    def posts(name: str) -> dict[str, dict]:
        with open(DATA / "twarc-csv" / name, "rb") as fh:
            return {p["id"]: p for r in twarc_csv.records(fh) for p in twarc_csv.parse(r.obj)}

    escaped, multi = posts("brexit.csv"), posts("brexit_multiline.csv")
    assert len(multi) == 5
    for pid, post in multi.items():
        assert post["text"] == escaped[pid]["text"]


def test_csv_without_required_columns_is_reported_per_row() -> None:
    recs = _csv_records(b"id,foo\n1,2\n")
    assert recs[0].error and "no column author_id" in recs[0].error
    with pytest.raises(ParseError, match="missing author_id"):
        twarc_csv.parse({"id": "1", "author_id": "", "created_at": "2021-01-01T00:00:00.000Z", "text": "x"})


def test_csv_edits_tombstone_older_versions_like_v2() -> None:
    def items(name: str) -> list:
        with open(DATA / "twarc-csv" / name, "rb") as fh:
            return [i for r in twarc_csv.records(fh) for i in twarc_csv.parse(r.obj)]

    newest = items("edited.csv")
    assert newest[0] == Tombstone("twitter", "1576994746135764992", "edited")
    assert newest[1]["id"] == "1576994789110992896"
    first = items("edited_before.csv")  # the old version alone: kept until the newer one arrives
    assert [type(i) for i in first] == [dict] and first[0]["id"] == "1576994746135764992"


def test_csv_referenced_tweets_json_column() -> None:
    row = {"id": "5", "author_id": "2", "created_at": "2021-09-22T16:37:29.000Z", "text": "x",
           "referenced_tweets": '[{"type": "quoted", "id": "4"}]'}
    [post] = twarc_csv.parse(row)
    assert (post["kind"], post["quote_of_id"]) == ("quote", "4")


def test_archive_tweets_without_wrapper_from_older_archives() -> None:
    data = (b'window.YTD.tweet.part0 = [ {"id_str" : "7", "created_at" : "Sat May 24 10:00:00 +0000 2014",'
            b' "full_text" : "old #YesAllWomen", "entities" : {"hashtags" : [ {"text" : "YesAllWomen"} ]},'
            b' "favorite_count" : "2"} ]')
    from tagscope.formats.base import FormatWarning

    with pytest.warns(FormatWarning):  # a file alone: its author is unknown
        [rec] = list(x_archive.records(io.BytesIO(data)))
    [post] = x_archive.parse({"account": {"accountId": "1", "username": "a"}, **rec.obj})
    assert (post["id"], post["hashtags"], post["like_count"], post["author_handle"]) == ("7", ["YesAllWomen"], 2, "a")


def test_archive_file_is_read_one_element_at_a_time() -> None:
    data = (ARCHIVE / "folder" / "data" / "deleted-tweets.js").read_bytes()
    recs = list(x_archive.records(io.BytesIO(data)))
    assert len(recs) == 47 and recs[0].line == 2 and recs[1].line > 40  # physical lines: streamed, not read whole
    assert all(r.error is None for r in recs)
    cut = data[: len(data) // 2]
    cut_recs = list(x_archive.records(io.BytesIO(cut)))
    assert [r.error is None for r in cut_recs[:-1]] == [True] * (len(cut_recs) - 1)
    assert "cut off" in cut_recs[-1].error
    minified = b"window.YTD.deleted_tweets.part0 = " + orjson.dumps([r.obj for r in recs])
    assert [r.obj for r in x_archive.records(io.BytesIO(minified))] == [r.obj for r in recs]


@pytest.mark.parametrize(("column", "value"), [("id", "1.44072E+18"), ("id", "1440716848299872269.0"),
                                               ("author_id", "4.87212E+09"), ("id", "١٢٣")])
def test_csv_ids_rounded_by_a_spreadsheet_are_quarantined(column: str, value: str) -> None:
    """A CSV re-saved by a spreadsheet may hold ids as 1.44072E+18: stored as written, every post
    rounded to the same value became one post (the rest counted as duplicates), and authors merged."""
    row = {"id": "5", "author_id": "2", "created_at": "2021-09-22T16:37:29.000Z", "text": "x", column: value}
    with pytest.raises(ParseError, match=f"{column} .* is not a whole number"):
        twarc_csv.parse(row)
