"""Research exports (Zeeschuimer, 4CAT NDJSON and CSV, mapped CSV/JSON lines): the rules the contract
test does not name, with numbers counted by hand from the samples in tests/data.

The contract test (test_contract.py) runs the goldens, sniffing, a cut record and forget on the samples;
here: each platform's mapping, skipped records counted with their reason, one post whatever export it
came in, the platform of a 4CAT CSV, ``--map`` and ``--platform`` end to end, the merge rule of a folder
whose posts keep their source platform, and property tests.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formats.test_properties import json_values, scalars, with_one_value_replaced
from tagscope import formats
from tagscope.cli import app
from tagscope.formats import ParseError, Rejected, Skipped
from tagscope.formats.base import json_records, parse_options
from tagscope.formats.exports import fourcat_csv, fourcat_ndjson, mapped, mapping, zeeschuimer
from tagscope.post import POST_FIELDS, POST_SCHEMA, Tombstone
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
ZEE = DATA / "zeeschuimer" / "zeeschuimer-export-mixed.ndjson"
FOURCAT_NDJSON = DATA / "4cat-ndjson" / "4cat-tiktok-instagram-threads.ndjson"
CSV_DIR = DATA / "4cat-csv"
FORUM = DATA / "mapped-csv"
NAMES = ["zeeschuimer", "4cat-ndjson", "4cat-csv", "mapped"]


def _lines(path: Path) -> list[Any]:
    with open(path, "rb") as fh:
        return [rec.obj for rec in json_records(fh, str(path))]


def _by_id(mod: Any, path: Path) -> dict[str, Any]:
    return {p["id"]: p for obj in _lines(path) for p in mod.parse(obj) if isinstance(p, dict)}


ZEE_POSTS = _by_id(zeeschuimer, ZEE)


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


# --- Zeeschuimer: each platform's item ---------------------------------------------------------------


def test_tiktok_text_tags_mentions_counts_and_duets() -> None:
    p = ZEE_POSTS["7368249172549274922"]
    assert (p["platform"], p["author_id"], p["author_handle"], p["author_name"]) == (
        "tiktok", "6812345678901234567", "jo.rants", "Jo Rants")
    assert p["created_at"] == datetime(2024, 5, 13, 9, 25, 10)  # createTime 1715592310
    assert p["hashtags"] == ["yesallwomen", "fyp"] and p["mentions"] == ["mira.speaks"]
    assert (p["like_count"], p["repost_count"], p["reply_count"], p["author_followers"]) == (1520, 87, 243, 18234)
    assert (p["kind"], p["lang"]) == ("original", "en")
    # The page-embedded form: author is the handle, createTime and stats are strings, no textExtra.
    duet = ZEE_POSTS["7368301550187765035"]
    assert (duet["author_id"], duet["author_handle"], duet["author_name"]) == ("6899011223344556677", "mira.speaks", "Mira")
    assert (duet["kind"], duet["quote_of_id"]) == ("quote", "7368249172549274922")
    assert duet["hashtags"] == ["YesAllWomen", "notallmen"] and duet["hashtags_norm"] == ["yesallwomen", "notallmen"]
    assert duet["mentions"] == ["jo.rants"] and duet["like_count"] == 310


def test_tiktok_comments_reply_to_the_video_or_a_comment() -> None:
    top, sub = ZEE_POSTS["7368262211100000001"], ZEE_POSTS["7368270000000000002"]
    assert (top["platform"], top["kind"], top["reply_to_id"], top["conversation_id"]) == (
        "tiktok", "reply", "7368249172549274922", "7368249172549274922")
    assert (top["author_id"], top["author_handle"], top["hashtags"], top["like_count"]) == (
        "6700000000000000001", "dana.k", ["yesallwomen"], 44)
    assert (sub["reply_to_id"], sub["mentions"], sub["created_at"]) == (
        "7368262211100000001", ["dana.k"], datetime(2024, 5, 13, 10, 43, 20))


def test_forgetting_a_video_scrubs_its_text_from_comments() -> None:
    comment = next(o for o in _lines(ZEE) if o["item_id"] == "7368262211100000001")
    assert zeeschuimer.scrub(comment, formats.Forgotten.of(ids=["7368249172549274922"], accounts=["6700000000000000002"]))
    assert comment["data"]["share_info"]["title"] == "" and comment["data"]["reply_comment"] == []
    assert zeeschuimer.parse(comment)[0]["text"] == "this is exactly it #yesallwomen"


def test_instagram_caption_shortcode_and_hidden_likes() -> None:
    p = ZEE_POSTS["CwIj0b7Mh2n"]
    assert (p["platform"], p["author_id"], p["author_handle"]) == ("instagram", "54045506848", "colab.uff")
    assert p["created_at"] == datetime(2023, 8, 19, 13, 0, 7)  # taken_at 1692450007
    assert p["hashtags"] == ["coLAB", "UFF"] and p["mentions"] == ["ddoslab.uff"]
    assert p["urls"] == ["https://colab-uff.github.io/docs/"] and (p["like_count"], p["reply_count"]) == (19, 2)
    hidden = ZEE_POSTS["CwKqUuBOT03"]
    assert hidden["like_count"] is None and hidden["author_verified"] is True  # like_and_view_counts_disabled


def test_threads_fragments_links_quotes_and_replies() -> None:
    p = ZEE_POSTS["C7n9x2ZL0aB"]
    assert (p["platform"], p["author_id"], p["hashtags"]) == ("threads", "63055343223", ["MeToo2"])
    assert p["urls"] == ["https://example.org/report"]  # l.threads.net/?u=... unwrapped
    assert (p["like_count"], p["repost_count"], p["reply_count"], p["quote_count"]) == (431, 30, 12, 4)
    quote = ZEE_POSTS["C7oA1b2c3dE"]  # no caption: the text is its fragments
    assert quote["text"] == "Discordo totalmente, @lena.threads veja example.net/x"
    assert (quote["kind"], quote["quote_of_id"], quote["urls"]) == ("quote", "C7n9x2ZL0aB", ["https://example.net/x"])
    reply = ZEE_POSTS["C7oB9z8y7xW"]
    assert (reply["kind"], reply["reply_to_user_id"], reply["reply_to_id"]) == ("reply", "63055343223", None)
    assert reply["created_at"] == datetime(2023, 12, 21, 23, 6, 40)  # taken_at as a string


def test_a_threads_repost_carries_the_reposted_post() -> None:
    """Real items (threads-api's README): a repost is a post of its own with the reposted one inside."""
    p = ZEE_POSTS["CuWOd96hL3y"]
    assert (p["kind"], p["author_handle"], p["author_id"]) == ("repost", "_junhoyeo", "5438123050")
    assert (p["repost_of_id"], p["repost_of_author"], p["mentions"]) == ("CuVzNKXsbgA", "michaelshillingburg", ["michaelshillingburg"])
    assert p["text"].startswith("I'm sorry why are all the interaction buttons") and p["like_count"] == 9
    assert p["created_at"] == datetime(2023, 7, 6, 7, 19, 19)  # the repost's own taken_at, not the original's
    assert ZEE_POSTS["CuVjtTyhEey"]["text"] == "댓글달다가 자꾸 조아요 누르게 댐;"


def test_tweets_as_the_web_app_loads_them() -> None:
    """Real GraphQL tweets (twscrape's recorded responses) in Zeeschuimer's wrapper."""
    long = ZEE_POSTS["2074976613713031490"]  # a long post: note_tweet holds the whole text
    assert (long["platform"], long["author_handle"], long["author_id"]) == ("twitter", "piloly", "20472409")
    assert long["text"].endswith("(~60% of Tesla sales in Europe)") and len(long["text"]) > 280
    assert long["created_at"] == datetime(2026, 7, 8, 21, 59, 10) and long["like_count"] == 312
    assert (ZEE_POSTS["2074963269429661921"]["kind"], ZEE_POSTS["2074963269429661921"]["quote_of_id"]) == (
        "quote", "2072535265533456878")
    reply = ZEE_POSTS["1649593041966219264"]
    assert (reply["kind"], reply["reply_to_id"]) == ("reply", "1649191520250245121")
    assert reply["hashtags"] == ["accessibility", "SaveA11yBots"]  # repeated in entities, once here
    assert reply["mentions"] == ["TwitterDev"]  # no user_mentions in the response: read from the text
    rt = ZEE_POSTS["2083305234688803178"]  # a retweet carries the retweeted post's text and counts
    assert (rt["kind"], rt["repost_of_id"], rt["repost_of_author"], rt["author_handle"]) == (
        "repost", "2083289084567724316", "benjitaylor", "XDevelopers")
    assert rt["text"].startswith("Overhauled the") and rt["mentions"][0] == "benjitaylor"
    wrapper = next(o for o in _lines(ZEE) if o["item_id"] == "2074955725571559685")
    assert zeeschuimer.parse({**wrapper, "data": {**wrapper["data"], "promoted": True}})[0].reason == (
        "zeeschuimer: promoted tweet (an ad)")


def test_items_that_hold_no_post_are_skipped_with_their_reason() -> None:
    skipped = [s.reason for obj in _lines(ZEE) for s in zeeschuimer.parse(obj) if isinstance(s, Skipped)]
    assert skipped == ["zeeschuimer: Instagram ad",
                       "zeeschuimer: Instagram grid tile without its time (open the post to capture it whole)",
                       "zeeschuimer: linkedin.com items are not mapped"]
    with pytest.raises(ParseError, match="not a Zeeschuimer item"):
        zeeschuimer.parse({"data": {}})


def test_the_first_zeeschuimer_versions_wrote_a_shorter_wrapper() -> None:
    item = _lines(ZEE)[0]
    old = {k: item[k] for k in ("source_platform", "source_platform_url", "source_url", "data")}
    head = orjson.dumps(old) + b"\n"
    assert formats.sniff(head) is zeeschuimer and zeeschuimer.parse(old)[0]["id"] == "7368249172549274922"
    assert not zeeschuimer.sniff(FOURCAT_NDJSON.read_bytes()[:65536])


def test_4cat_ndjson_maps_the_same_items_as_zeeschuimer() -> None:
    assert _by_id(fourcat_ndjson, FOURCAT_NDJSON).keys() == ZEE_POSTS.keys()
    for pid, post in _by_id(fourcat_ndjson, FOURCAT_NDJSON).items():
        assert {k: v for k, v in post.items() if k != "source_format"} == {
            k: v for k, v in ZEE_POSTS[pid].items() if k != "source_format"}


# --- ingest end to end --------------------------------------------------------------------------------


def test_every_record_is_stored_quarantined_or_skipped(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(ZEE)])
    (f,) = summary["files"]
    assert (f["records"], f["posts"], f["quarantined"], f["skipped"]) == (25, 22, 0, 3)
    assert summary["skipped"] == {"zeeschuimer: Instagram ad": 1, "zeeschuimer: linkedin.com items are not mapped": 1,
                                  "zeeschuimer: Instagram grid tile without its time (open the post to capture it whole)": 1}


def test_nothing_is_lost_silently_in_a_damaged_capture(tmp_path: Path) -> None:
    """Good items, items of other platforms, a cut line, a line that is not JSON, items with wrong
    types: each record is a post, a quarantined record with its line, or a skipped one."""
    lines = ZEE.read_bytes().splitlines()
    broken = [b'{"nav_index":"1:1:1","item_id":"x","source_platform":"tiktok.com","data":{"id":"1","createTime":"soon"}}',
              b'{"nav_index":"1:1:2","item_id":"y","source_platform":"threads.net","data":[]}',
              b"not json", lines[0][: len(lines[0]) // 2]]
    path = tmp_path / "damaged.ndjson"
    path.write_bytes(b"\n".join([*lines, *broken]) + b"\n")
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(path)])
        lines_quarantined = sorted(store.sql("SELECT source_line FROM quarantine").column(0).to_pylist())
    (f,) = summary["files"]
    assert f["records"] == f["posts"] + f["quarantined"] + f["skipped"] == len(lines) + len(broken)
    assert lines_quarantined == [26, 27, 28, 29] and f["skipped"] == sum(summary["skipped"].values()) == 3


def test_one_item_from_three_exports_is_one_post(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(ZEE), str(FOURCAT_NDJSON), str(CSV_DIR / "4cat-tiktok-search.csv")])
        posts = {(p["platform"], p["id"]): p for p in store.posts().to_pylist()}
    assert summary["ingested"] == 23 and summary["duplicates"] == 23  # 22 again from 4CAT NDJSON, 1 from the CSV
    tiktok = posts[("tiktok", "7368249172549274922")]
    assert (tiktok["like_count"], tiktok["reply_count"]) == (1712, 260)  # the CSV's later counts
    assert {p for p, _ in posts} == {"tiktok", "instagram", "threads", "twitter"}


# --- 4CAT CSV: the platform ---------------------------------------------------------------------------


def test_4cat_csv_platform_from_the_rows_own_links() -> None:
    assert fourcat_csv.platform_of({"collected_from_url": "https://www.instagram.com/explore/"}) == "instagram"
    assert fourcat_csv.platform_of({"link": "https://x.com/a/status/1"}) == "twitter"
    assert fourcat_csv.platform_of({"url": "https://www.threads.com/@a/post/C"}) == "threads"
    assert fourcat_csv.platform_of({"url": "https://x.com/a/status/1"}) is None  # a shared link, not the post
    assert fourcat_csv.platform_of({"subreddit": "x", "url": "https://x.com/a"}) == "reddit"
    assert fourcat_csv.platform_of({"id": "1", "_platform": "4chan"}) == "4chan"


def test_4cat_twitter_rows() -> None:
    with open(CSV_DIR / "4cat-twitterv2-search.csv", "rb") as fh:
        posts = [p for rec in fourcat_csv.records(fh) for p in fourcat_csv.parse(rec.obj)]
    rt, reply = posts
    assert (rt["platform"], rt["kind"], rt["repost_of_author"], rt["author_id"]) == ("twitter", "repost", "orig_author", "123456")
    assert rt["urls"] == ["https://example.org/essay", "https://t.co/abc"] and rt["hashtags"] == ["YesAllWomen"]
    assert (reply["kind"], reply["conversation_id"], reply["like_count"], reply["mentions"]) == (
        "reply", "1790001000000000000", 3, ["orig_author"])
    assert reply["created_at"] == datetime(2024, 5, 13, 11, 30)


def test_4cat_csv_of_an_unknown_datasource_needs_platform(tmp_path: Path) -> None:
    board = str(CSV_DIR / "4cat-4chan-board.csv")
    res = _cli("ingest", "--store", str(tmp_path / "a"), board, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["quarantined"] == 2
    with Store(tmp_path / "a") as store:
        rows = store.sql("SELECT source_line, reason FROM quarantine ORDER BY source_line").to_pylist()
    assert [r["source_line"] for r in rows] == [2, 4] and "--platform" in rows[0]["reason"]

    res = _cli("ingest", "--store", str(tmp_path / "b"), "--platform", "4chan", board, "--json")
    assert res.exit_code == 0, res.output
    with Store(tmp_path / "b") as store:
        posts = {p["id"]: p for p in store.posts().to_pylist()}
        assert {p["platform"] for p in posts.values()} == {"4chan"}
        # timestamp, read as UTC, when unix_timestamp is empty
        assert posts["467001130"]["created_at"] == datetime(2014, 5, 25, 14, 3, 40)
        from tagscope.store.remap import remap

        assert remap(store)["posts"] == 2  # the platform is in the raw record: remap keeps it
        assert set(store.posts().column("platform").to_pylist()) == {"4chan"}


# --- mapped files: --map -----------------------------------------------------------------------------


def test_map_reads_a_forum_csv_with_its_zone_and_quarantines_bad_rows(tmp_path: Path) -> None:
    st = str(tmp_path / "s")
    res = _cli("ingest", "--store", st, "--map", str(FORUM / "forum.toml"), str(FORUM / "forum.csv"), "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert (summary["ingested"], summary["quarantined"]) == (4, 2)
    with Store(st) as store:
        posts = {p["id"]: p for p in store.posts().to_pylist()}
        rows = store.sql("SELECT source_file, source_line, reason FROM quarantine ORDER BY source_line").to_pylist()
        p = posts["p1001"]
        assert (p["platform"], p["author_id"], p["author_handle"], p["community"], p["conversation_id"]) == (
            "forum", "u12", "alpha_dan", "Seduction Lounge", "t77")
        assert p["created_at"] == datetime(2014, 5, 24, 17, 3)  # 18:03 in London, summer time
        assert p["hashtags"] == ["YesAllWomen", "NotAllMen"] and p["like_count"] == 5
        assert p["urls"] == ["https://forum.example/t/77", "https://example.com/manifesto"]
        assert (posts["p1002"]["kind"], posts["p1002"]["reply_to_id"]) == ("reply", "p1001")
        assert posts["p1002"]["source_line"] == 3 and posts["p1003"]["source_line"] == 5  # p1002 spans two lines
        assert posts["p1006"]["author_id"] is None and posts["p1006"]["hashtags"] == ["help"]
        assert [(r["source_line"], r["reason"].split(" (")[0]) for r in rows] == [
            (6, "bad time '31/02/2014 10:00'"), (7, "malformed CSV row: 7 fields where the header has 10")]
        assert all(r["source_file"].endswith("forum.csv") for r in rows)
        from tagscope.store.remap import remap

        before = store.posts().sort_by("id").to_pylist()
        assert remap(store)["failed"] == 0
        store.refresh()
        assert store.posts().sort_by("id").to_pylist() == before  # the raw record carries its mapping


def test_map_reads_json_lines_with_dotted_columns_and_a_platform_column(tmp_path: Path) -> None:
    st = str(tmp_path / "s")
    res = _cli("ingest", "--store", st, "--map", str(FORUM / "forum.json"), str(FORUM / "forum.jsonl"), "--json")
    assert res.exit_code == 0, res.output
    with Store(st) as store:
        posts = {p["id"]: p for p in store.posts().to_pylist()}
        reasons = store.sql("SELECT source_line, reason FROM quarantine ORDER BY source_line").to_pylist()
    assert posts["501"]["platform"] == "forum" and posts["501"]["author_handle"] == "ann"
    assert posts["501"]["hashtags"] == ["Campaign", "extra"]  # the named column, not the text
    assert posts["502"]["hashtags"] == [] and (posts["502"]["kind"], posts["502"]["repost_of_id"]) == ("repost", "501")
    assert [r["source_line"] for r in reasons] == [3, 4, 5]
    assert reasons[0]["reason"].endswith("id is not an integer") and "missing time (column 'created')" in reasons[1]["reason"]


def test_json_lines_with_a_byte_order_mark(tmp_path: Path) -> None:
    import io

    data = b"\xef\xbb\xbf" + (FORUM / "forum.jsonl").read_bytes()
    with parse_options(mapping=mapping.load(FORUM / "forum.json")):
        recs = list(mapped.records(io.BufferedReader(io.BytesIO(data))))
    assert recs[0].error is None and recs[0].obj["row"]["id"] == 501


def test_a_mapping_naming_a_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((FORUM / "forum.toml").read_text().replace('text = "message"', 'text = "body"'))
    res = _cli("ingest", "--store", str(tmp_path / "s"), "--map", str(bad), str(FORUM / "forum.csv"))
    assert res.exit_code != 0
    assert "text = 'body'" in res.output and "post_id" in res.output  # what is missing, and what there is
    # Read anyway (a folder, a zip), every row is quarantined with that reason.
    with parse_options(mapping=mapping.load(bad)), open(FORUM / "forum.csv", "rb") as fh:
        errors = {r.error for r in mapped.records(fh)}
    assert len(errors) == 1 and next(iter(errors)).startswith("the mapping names columns this file does not have")


@pytest.mark.parametrize(("text", "message"), [
    ('id = "a"\ntime = "b"\n', "give the platform"),
    ('platform = "f"\ntime = "b"\n', "name the column of id"),
    ('platform = "f"\nid = "a"\ntime = "b"\nauthr = "c"\n', "unknown key authr"),
    ('platform = "f"\nid = "a"\ntime = "b"\ntime_zone = "Mars/Olympus"\n', "unknown time_zone"),
    ('platform = "f"\nid = "a"\ntime = "b"\ntime_format = "dd-mm"\n', "time_format is"),
    ('platform = "f"\nid = 3\ntime = "b"\n', "id must be a non-empty string"),
    ("id = \n", "not valid TOML"),
])
def test_mapping_files_are_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text)
    with pytest.raises(mapping.MappingError, match=message):
        mapping.load(path)


def test_platform_fills_a_mapping_that_names_none(tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text((FORUM / "forum.toml").read_text().replace('platform = "forum"\n', ""))
    with pytest.raises(mapping.MappingError, match="give the platform"):
        mapping.load(bare)
    assert mapping.load(bare, "phpbb")["platform"] == "phpbb"
    assert mapping.load(FORUM / "forum.toml", "phpbb")["platform"] == "forum"  # the file's own wins


def test_tz_is_the_zone_of_a_mapping_that_names_none(tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text((FORUM / "forum.toml").read_text().replace('time_zone = "Europe/London"\n', ""))
    st = str(tmp_path / "s")
    res = _cli("ingest", "--store", st, "--map", str(bare), "--tz", "Europe/London", str(FORUM / "forum.csv"), "--json")
    assert res.exit_code == 0, res.output
    with Store(st) as store:
        posts = {p["id"]: p for p in store.posts().to_pylist()}
    assert posts["p1001"]["created_at"] == datetime(2014, 5, 24, 17, 3)  # 18:03 in London, as with time_zone


def test_map_and_another_format_do_not_mix(tmp_path: Path) -> None:
    res = _cli("ingest", "--store", str(tmp_path / "s"), "--map", str(FORUM / "forum.toml"), "--format", "twarc-csv",
               str(FORUM / "forum.csv"))
    assert res.exit_code != 0 and "--map" in res.output


# --- the registry: a folder whose posts keep their source platform ------------------------------------


def test_post_platforms_are_source_platforms_not_the_exports_folder() -> None:
    assert {"tiktok", "instagram", "threads", "twitter", "reddit"} <= set(formats.POST_PLATFORMS)
    assert "exports" not in formats.POST_PLATFORMS


def test_a_folders_merge_rule_covers_the_platforms_it_declares() -> None:
    import types

    from tagscope.formats import _merge_rules

    def rule(old: dict[str, Any], new: dict[str, Any]) -> bool:
        return False

    own = types.SimpleNamespace(PLATFORM="twitter", merge=lambda old, new: True)
    family = types.SimpleNamespace(PLATFORM="exports", PLATFORMS=("tiktok", "twitter"), merge=rule)
    rules = _merge_rules({"twitter": own, "exports": family})
    assert rules["tiktok"] is rule and rules["twitter"] is own.merge  # a platform's own folder wins


def test_a_tweet_in_an_export_merges_by_twitters_rule() -> None:
    cut = {"platform": "twitter", "text": "why this matters so much to everyone of us \u2026 https://t.co/x1",
           "hashtags": [], "hashtags_norm": [], "mentions": [], "urls": [], "domains": []}
    full = {**cut, "text": "why this matters so much to everyone of us, written out #YesAllWomen",
            "hashtags": ["YesAllWomen"], "hashtags_norm": ["yesallwomen"]}
    assert formats.merge_into(cut, full) and cut["hashtags"] == ["YesAllWomen"]


# --- scrub ---------------------------------------------------------------------------------------------


def test_scrub_removes_a_forgotten_accounts_copies() -> None:
    lines = _lines(ZEE)
    quote = next(obj for obj in lines if obj["data"].get("code") == "C7oA1b2c3dE")
    assert zeeschuimer.scrub(quote, formats.Forgotten.of(handles=["lena.threads"]))
    assert quote["data"]["text_post_app_info"]["share_info"]["quoted_post"] == {"code": "C7n9x2ZL0aB", "pk": "3380012345678901234"}
    assert zeeschuimer.parse(quote)[0]["quote_of_id"] == "C7n9x2ZL0aB"
    ig = next(obj for obj in _lines(FOURCAT_NDJSON) if obj.get("code") == "CwIj0b7Mh2n")
    assert fourcat_ndjson.scrub(ig, formats.Forgotten.of(accounts=["1122334455"]))
    assert ig["preview_comments"] == [] and ig["facepile_top_likers"] == []
    assert not fourcat_ndjson.scrub(ig, formats.Forgotten.of(accounts=["1122334455"]))  # nothing left to do


# --- properties ----------------------------------------------------------------------------------------


def _check(name: str, obj: Any) -> None:
    """parse() raises nothing but ParseError; what it returns fits the store or says why it is skipped."""
    try:
        items = formats.get(name).parse(obj)
    except ParseError:
        return
    posts = []
    for item in items:
        if isinstance(item, Skipped):
            assert isinstance(item.reason, str) and item.reason
            continue
        assert not isinstance(item, (Tombstone, Rejected))  # exports hold one post per record
        assert set(item) == set(POST_FIELDS) and isinstance(item["id"], str) and item["id"]
        assert isinstance(item["platform"], str) and item["platform"]
        posts.append(item)
    if posts:
        import pyarrow as pa

        pa.Table.from_pylist(posts, schema=POST_SCHEMA)


def _samples() -> dict[str, list[Any]]:
    forum = _lines(FORUM / "records" / "forum.mapped.jsonl")
    with open(CSV_DIR / "4cat-twitterv2-search.csv", "rb") as a, open(CSV_DIR / "4cat-tiktok-search.csv", "rb") as b:
        rows = [r.obj for fh in (a, b) for r in fourcat_csv.records(fh)]
    return {"zeeschuimer": _lines(ZEE), "4cat-ndjson": _lines(FOURCAT_NDJSON), "4cat-csv": rows, "mapped": forum}


SAMPLES = _samples()
KEYS = ["data", "source_platform", "__import_meta", "map", "row", "id", "code", "desc", "author", "user", "caption",
        "text", "taken_at", "createTime", "textExtra", "challenges", "stats", "text_post_app_info", "share_info",
        "quoted_post", "unix_timestamp", "timestamp", "body", "platform", "time", "time_format", "time_zone"]
keyed = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
                     max_leaves=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), json_values | keyed)
def test_parse_of_any_json_raises_only_parse_error(name: str, obj: Any) -> None:
    _check(name, obj)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_records_with_one_value_replaced(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES))
    _check(name, with_one_value_replaced(data, SAMPLES[name]))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
def test_readers_of_any_bytes_yield_records_and_never_raise(data: bytes) -> None:
    import io

    m = mapping.load(FORUM / "forum.toml")
    for reader, given_mapping in ((fourcat_csv.records, None), (mapped.records, m), (mapped.records, None)):
        with parse_options(mapping=given_mapping):
            for rec in reader(io.BufferedReader(io.BytesIO(data))):
                assert rec.error is not None or rec.obj is not None
                assert isinstance(rec.line, int) and rec.line >= 1
                orjson.dumps(rec.obj)
