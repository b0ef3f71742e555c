"""Reddit (Pushshift and Arctic Shift dumps): the mapping, deletions and removals, .zst dumps, end to end.

The contract test (test_contract.py) runs the goldens, sniffing, a cut record and forget on the real
fixtures; here are the Reddit rules those do not name, with numbers counted by hand from the fixtures.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formats.test_properties import _check, with_one_value_replaced
from tagscope import formats
from tagscope.cli import app
from tagscope.formats.base import json_records
from tagscope.formats.reddit import pushshift, text
from tagscope.post import Tombstone
from tagscope.store import Store
from tagscope.store.sources import expand, open_sniffed

DATA = Path(__file__).resolve().parents[1] / "data"
COMMENTS = DATA / "reddit-pushshift" / "pushshift_importer_test_comments.ndjson"
SUBMISSIONS = DATA / "reddit-pushshift" / "pushshift_importer_test_submissions.ndjson"
ZST = sorted((DATA / "reddit-zst").glob("*.zst"))


def _mapped(path: Path) -> dict[str, Any]:
    """Every post and tombstone of a fixture file, by id."""
    with open(path, "rb") as fh:
        return {(it["id"] if isinstance(it, dict) else it.id): it
                for rec in json_records(fh, str(path)) for it in pushshift.parse(rec.obj)}


COMMENT = _mapped(COMMENTS)
SUBMISSION = _mapped(SUBMISSIONS)


def test_ids_are_fullnames_and_threads_follow_parent_and_link() -> None:
    c = COMMENT["t1_kod0bke"]
    assert (c["kind"], c["reply_to_id"], c["conversation_id"]) == ("reply", "t1_kihqg38", "t3_199i3jp")
    top = COMMENT["t1_kod0bkd"]
    assert (top["reply_to_id"], top["conversation_id"]) == ("t3_1afjd7n", "t3_1afjd7n")
    s = SUBMISSION["t3_87"]
    assert (s["kind"], s["reply_to_id"], s["conversation_id"]) == ("original", None, "t3_87")
    ids = [*COMMENT, *SUBMISSION]
    assert all(i.startswith(("t1_", "t3_")) for i in ids) and len(set(ids)) == len(ids) == 27 + 31


def test_created_utc_as_int_float_or_string() -> None:
    assert COMMENT["t1_kod0bkd"]["created_at"] == datetime(2024, 2, 1)  # 1706745600.0
    assert COMMENT["t1_c0cmuoo"]["created_at"] == datetime(2009, 9, 1, 0, 0, 2)  # "1251763202"
    assert COMMENT["t1_c13"]["created_at"] == datetime(2005, 12, 12, 5, 26, 28)  # 1134365188


def test_author_community_counts_and_absent_fields() -> None:
    c = COMMENT["t1_c63fp23"]
    assert (c["author_id"], c["author_handle"], c["community"], c["like_count"]) == ("kn0thing", "kn0thing", "AdviceAnimals", 84)
    assert c["reply_count"] is None and c["author_followers"] is None and c["lang"] is None
    gone_account = COMMENT["t1_c15"]  # the account was deleted, its comment stands
    assert gone_account["author_id"] is None and gone_account["author_handle"] is None
    assert gone_account["text"] == "Jython related topics by Frank Wierzbicki"
    s = SUBMISSION["t3_1afwvvf"]
    assert (s["like_count"], s["reply_count"], s["quote_count"]) == (13, 189, 0)


def test_texts_are_unescaped_and_submissions_are_title_then_selftext() -> None:
    assert COMMENT["t1_c0cmuoo"]["text"].startswith(">Nebraska\n>Diocese")  # "&gt;" in the dump
    assert SUBMISSION["t3_1v3sg"]["text"] == "NUMBERS & WEB SITES"
    fit = SUBMISSION["t3_2f4i98"]
    assert fit["text"].startswith("Does anybody else drink liquid egg whites?\n\nThere's 50g of protein")
    assert SUBMISSION["t3_87"]["text"] == "The Downing Street Memo"  # no selftext: the title alone


def test_urls_mentions_and_media() -> None:
    assert SUBMISSION["t3_87"]["urls"] == ["http://www.downingstreetmemo.com"]
    assert SUBMISSION["t3_1v3sg"]["urls"][0].endswith(".xml&coll=1&thispage=23")  # the url is escaped too
    assert SUBMISSION["t3_1afwvva"]["urls"] == []  # an i.redd.it image post: its own media, not a link
    assert SUBMISSION["t3_2f4i98"]["urls"] == []  # a self post's url is its own permalink
    bot = COMMENT["t1_kod0bke"]
    assert bot["mentions"] == ["Cultural_Entrance312"] and "bittybot.net" in bot["domains"]


def test_a_crosspost_quotes_its_parent() -> None:
    x = SUBMISSION["t3_1afwvv9"]
    assert (x["kind"], x["quote_of_id"], x["urls"]) == ("quote", "t3_1abw4nj", [])  # v.redd.it: media


def test_no_tags_from_markdown_entities_headings_numbers_or_link_fragments() -> None:
    assert SUBMISSION["t3_1afwvvf"]["hashtags"] == []  # "##General Information": a heading
    assert SUBMISSION["t3_jk3lbh"]["hashtags"] == []  # "&amp;#x200B;": a zero-width space
    assert SUBMISSION["t3_jzzw6o"]["hashtags"] == []  # ".../sapporo/#day", "J3#1", "#1-#2"


@pytest.mark.parametrize(("body", "tags", "mentions", "urls"), [
    ("#YesAllWomen because", ["YesAllWomen"], [], []),
    ("so true #YesAllWomen. and \\#NotAllMen", ["YesAllWomen", "NotAllMen"], [], []),
    ("see [this](https://example.org/a_(b)#YesAllWomen) #tag2", ["tag2"], [], ["https://example.org/a_(b)#YesAllWomen"]),
    ("page#x not a tag, &#39;quote&#39; nor #2014 nor &amp;#x200B;", [], [], []),
    ("ask u/some_one and /u/Other-Name, not reddit.com/u/x", [], ["some_one", "Other-Name"], []),
    ("<https://i.redd.it/x.jpg> https://example.com/p?a=1&amp;b=2.", [], [], ["https://example.com/p?a=1&b=2"]),
    ("#été #ÉTÉ #mañana", ["été", "ÉTÉ", "mañana"], [], []),
])
def test_text_rules(body: str, tags: list[str], mentions: list[str], urls: list[str]) -> None:
    found = text.links(text.unescape(body))
    assert (found["hashtags"], found["mentions"], found["urls"]) == (tags, mentions, urls)


def test_deleted_and_removed_posts_are_tombstones() -> None:
    dead = {k: v.reason for k, v in {**COMMENT, **SUBMISSION}.items() if isinstance(v, Tombstone)}
    assert dead == {
        "t1_kod0bkj": "removed", "t1_kod0bkl": "removed",  # body "[removed]"
        "t1_c0cmuon": "deleted", "t1_c16": "deleted",  # body "[deleted]"
        "t3_1afwvvg": "deleted", "t3_1afwvvh": "deleted", "t3_1afwvvi": "deleted",  # Arctic Shift _meta
        "t3_abdn5a": "removed",  # selftext "[removed]" (the title is left: the post is still removed)
    }
    base = {"id": "x1", "author": "a", "created_utc": 1, "subreddit": "s", "title": "t", "selftext": "still here"}
    for extra, reason in [({"_meta": {"removal_type": "moderator"}}, "removed"),
                          ({"_meta": {"was_deleted_later": True}}, "deleted"),
                          ({"removed_by_category": "moderator"}, "removed"),
                          ({"removed_by_category": "deleted"}, "deleted"),
                          ({"removed_by_category": None, "_meta": {"note": "no_2nd_retrieval"}}, None)]:
        items = pushshift.parse({**base, **extra})
        assert (items[0].reason if isinstance(items[0], Tombstone) else None) == reason, extra


@pytest.mark.parametrize(("obj", "reason"), [
    ([1], "record is not a JSON object"),
    ({"id": "x", "created_utc": 1, "subreddit": "s"}, "neither a comment (body) nor a submission (title)"),
    ({"body": "hi", "created_utc": 1}, "missing id"),
    ({"id": "x", "body": "hi"}, "missing created_utc"),
    ({"id": "x", "body": "hi", "created_utc": "soon"}, "bad created_utc: 'soon'"),
    ({"id": "x y", "body": "hi", "created_utc": 1}, "bad id: 'x y'"),
])
def test_what_cannot_be_mapped_says_why(obj: Any, reason: str) -> None:
    with pytest.raises(formats.ParseError, match=f"^{reason}$".replace("(", r"\(").replace(")", r"\)")):
        pushshift.parse(obj)


def test_the_reddit_api_thing_wrapper_is_read() -> None:
    obj = orjson.loads(COMMENTS.read_bytes().splitlines()[0])
    assert pushshift.parse({"kind": "t1", "data": obj}) == pushshift.parse(obj)


_SAMPLES = [orjson.loads(x) for p in (COMMENTS, SUBMISSIONS) for x in p.read_bytes().splitlines()[:3]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parse_of_a_record_with_any_value_replaced_raises_only_parse_error(data: st.DataObject) -> None:
    obj = with_one_value_replaced(data, _SAMPLES)
    _check("reddit-pushshift", obj)
    # Nothing is lost unsaid: a record is one post or one tombstone, or quarantined with a reason.
    with contextlib.suppress(formats.ParseError):
        assert len(pushshift.parse(obj)) == 1
    assert isinstance(pushshift.scrub(obj, formats.Forgotten.of(ids=["t3_1"], handles=["a"])), bool)


def test_scrub_keeps_ids_of_a_forgotten_crosspost_parent() -> None:
    line = next(x for x in SUBMISSIONS.read_bytes().splitlines() if b'"crosspost_parent_list"' in x)
    obj = orjson.loads(line)
    before = pushshift.parse(obj)
    assert not pushshift.scrub(obj, formats.Forgotten.of(accounts=["someone_else"]))
    assert pushshift.scrub(obj, formats.Forgotten.of(accounts=["Romano16"]))
    assert obj["crosspost_parent_list"] == [{"id": "1abw4nj", "name": "t3_1abw4nj"}]
    assert b"Romano16" not in orjson.dumps(obj) and pushshift.parse(obj) == before
    again = orjson.loads(line)
    assert pushshift.scrub(again, formats.Forgotten.of(ids=["t3_1abw4nj"]))


def test_zst_dumps_with_the_2_gib_window_sniff_and_ingest_as_the_plain_files(tmp_path: Path) -> None:
    for unit in expand([str(p) for p in ZST]):
        head, stream = open_sniffed(unit)
        with stream:
            assert formats.sniff(head) is pushshift and stream.read(1) == b"{"
    with Store(tmp_path / "zst") as zst, Store(tmp_path / "plain") as plain:
        summary = zst.ingest([str(p) for p in ZST])
        assert (summary["records"], summary["ingested"], summary["deleted"], summary["quarantined"]) == (58, 50, 8, 0)
        # Of the 8: 3 [removed] by a moderator (two comments, one submission), 5 deleted by their authors.
        assert summary["removed"] == 3 and zst.stats()["removed"] == 3
        assert [(f["format"], f["records"], f["posts"]) for f in summary["files"]] == [
            ("reddit-pushshift", 27, 23), ("reddit-pushshift", 31, 27)]
        plain.ingest([str(COMMENTS), str(SUBMISSIONS)])
        cols = "platform, id, author_id, created_at, text, hashtags, urls, kind, reply_to_id, community, like_count"
        query = f"SELECT {cols} FROM posts ORDER BY id"
        assert zst.sql(query).to_pylist() == plain.sql(query).to_pylist()
        # The same dumps again: every post a duplicate, every deletion already known.
        again = zst.ingest([str(COMMENTS), str(SUBMISSIONS)])
        assert (again["ingested"], again["duplicates"], again["deleted"]) == (0, 50, 0)


def test_a_deletion_wins_over_a_copy_captured_before_in_either_order(tmp_path: Path) -> None:
    alive = {"id": "zz1", "author": "a_person", "created_utc": 1400889600, "subreddit": "s",
             "body": "#YesAllWomen", "parent_id": "t3_q", "link_id": "t3_q"}
    dead = {**alive, "author": "[deleted]", "body": "[deleted]"}
    for n, order in enumerate([(alive, dead), (dead, alive)]):
        with Store(tmp_path / f"s{n}") as store:
            for i, rec in enumerate(order):
                path = tmp_path / f"{n}-{i}.ndjson"
                path.write_bytes(orjson.dumps(rec) + b"\n")
                store.ingest([str(path)])
            assert store.posts().num_rows == 0
            assert store.sql("SELECT id, reason FROM tombstones").to_pylist() == [{"id": "t1_zz1", "reason": "deleted"}]


# Made up for this test (no real person): a campaign tag in a submission, a reply, a link fragment that
# is no tag, a comment deleted and one deleted after capture (Arctic Shift), across two subreddits.
CAMPAIGN = [
    {"id": "aa1", "name": "t3_aa1", "author": "alice_r", "created_utc": 1400889600, "subreddit": "TwoXChromosomes",
     "title": "Why #YesAllWomen matters", "selftext": "", "url": "https://example.org/essay", "is_self": False,
     "score": 10, "num_comments": 3},
    {"id": "bb1", "author": "bob_r", "created_utc": "1400893200", "subreddit": "TwoXChromosomes",
     "body": "Agreed. #yesallwomen", "parent_id": "t3_aa1", "link_id": "t3_aa1", "score": 3},
    {"id": "bb2", "author": "carol_r", "created_utc": 1400976000.0, "subreddit": "MensRights",
     "body": "#NotAllMen though, see https://example.com/page#YesAllWomen", "parent_id": "t3_aa1",
     "link_id": "t3_aa1", "score": -2},
    {"id": "bb3", "author": "[deleted]", "created_utc": 1400976100, "subreddit": "MensRights", "body": "[deleted]",
     "parent_id": "t1_bb2", "link_id": "t3_aa1", "score": 1},
    {"id": "bb4", "author": "dave_r", "created_utc": 1400976200, "subreddit": "TwoXChromosomes",
     "body": "#YesAllWomen", "parent_id": "t3_aa1", "link_id": "t3_aa1", "score": 1,
     "_meta": {"was_deleted_later": True, "removal_type": "deleted"}},
]


def test_end_to_end_ingest_stats_count_trend(tmp_path: Path) -> None:
    runner = CliRunner()
    campaign = tmp_path / "RC_campaign.ndjson"
    campaign.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in CAMPAIGN))
    where = ["--store", str(tmp_path / "store")]

    def js(*args: str) -> Any:
        res = runner.invoke(app, [*args, *where, "--json"])
        assert res.exit_code == 0, res.output
        return orjson.loads(res.stdout)

    summary = js("ingest", *map(str, ZST), str(campaign))
    # 58 fixture records (50 posts, 8 deletions and removals) and 5 campaign records (3 posts, 2 deletions).
    assert (summary["records"], summary["ingested"], summary["deleted"], summary["quarantined"]) == (63, 53, 10, 0)
    stats = js("stats")
    # 53 posts by 48 authors: kn0thing wrote 4, louistoldmeto 2, and one comment has no author (45 in the
    # fixtures), and the campaign's three.
    assert (stats["posts"], stats["authors"], stats["platforms"], stats["deleted"]) == (53, 48, {"reddit": 53}, 10)
    assert (stats["first_post"], stats["last_post"]) == ("2005-06-23T18:43:53Z", "2024-02-01T00:00:00Z")
    # The submission and bob's reply use it; carol's link fragment is no tag; dave's comment was deleted.
    assert js("count", "#YesAllWomen")["count"] == 2
    assert js("count", "yesallwomen", "--platform", "reddit")["count"] == 2
    assert js("count", "yesallwomen", "--platform", "twitter")["count"] == 0
    assert js("count", "notallmen")["count"] == 1
    series = js("trend", "yesallwomen", "notallmen", "--every", "day")["series"]
    assert [s for s in series if s["count"]] == [
        {"hashtag": "yesallwomen", "bucket": "2014-05-24T00:00:00Z", "count": 2},
        {"hashtag": "notallmen", "bucket": "2014-05-25T00:00:00Z", "count": 1}]


def test_forget_scrubs_a_crosspost_of_the_forgotten_author(tmp_path: Path) -> None:
    """Made-up records: yara crossposts xavier's submission, whose copy sits in her record."""
    from tagscope.store.forget import forget

    parent = {"id": "p1", "name": "t3_p1", "author": "xavier_r", "created_utc": 1400889600, "subreddit": "a",
              "title": "A sentence only xavier wrote", "selftext": "", "is_self": True}
    crosspost = {"id": "c1", "name": "t3_c1", "author": "yara_r", "created_utc": 1400889700, "subreddit": "b",
                 "title": "Look at this", "selftext": "", "crosspost_parent": "t3_p1",
                 "crosspost_parent_list": [parent]}
    path = tmp_path / "RS.ndjson"
    path.write_bytes(orjson.dumps(parent) + b"\n" + orjson.dumps(crosspost) + b"\n")
    with Store(tmp_path / "store") as store:
        store.ingest([str(path)])
        assert forget(store, authors=["xavier_r"])["forgotten"] == 1
        store.refresh()
        assert store.posts().column("id").to_pylist() == ["t3_c1"]
        raws = store.sql("SELECT raw FROM raw").column("raw").to_pylist()
        assert len(raws) == 1 and b"xavier" not in raws[0]
        assert orjson.loads(raws[0])["crosspost_parent_list"] == [{"id": "p1", "name": "t3_p1"}]
        # Ingested again (a later dump): the parent stays out and the new copy of the crosspost is scrubbed.
        store.ingest([str(path)])
        store.refresh()
        assert store.posts().column("id").to_pylist() == ["t3_c1"]
        assert all(b"xavier" not in r for r in store.sql("SELECT raw FROM raw").column("raw").to_pylist())


def test_a_dump_opening_with_a_long_selftext_is_sniffed() -> None:
    """Dumps sort a record's keys: a long ``selftext`` puts ``subreddit`` tens of KiB into the line."""
    record = {"created_utc": 1, "id": "x", "selftext": "word " * 9000, "subreddit": "s", "title": "t"}
    head = (orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\n")[:65536]
    assert formats.sniff(head) is pushshift
