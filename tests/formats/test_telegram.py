"""Telegram Desktop exports: the streaming reader, the mapping rules, the time-zone rule, forget's scrub."""

from __future__ import annotations

import io
import json
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
from tagscope.formats import ParseError
from tagscope.formats.base import Skipped, parse_options
from tagscope.formats.telegram import desktop, reader
from tagscope.store import Store
from tagscope.store.forget import forget

DATA = Path(__file__).resolve().parents[1] / "data" / "telegram-desktop"
CHANNEL = DATA / "channel_result.json"
GROUP = DATA / "group_result_desktop2.json"
ACCOUNT = DATA / "account_result.json"


def _records(data: bytes) -> list[Any]:
    return list(desktop.records(io.BytesIO(data), "x"))


def _posts(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    with parse_options(**options):
        recs = _records(path.read_bytes())
    return {p["id"]: p for r in recs if r.error is None for p in desktop.parse(r.obj) if isinstance(p, dict)}


def _whole_messages(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """What a full json load gives: (chat, message) for every chat of a chat or account export."""
    chats = [doc] if "messages" in doc else [
        c for key in ("chats", "left_chats") for c in doc.get(key, {}).get("list", [])]
    return [({k: c.get(k) for k in ("id", "name", "type")}, m) for c in chats for m in c["messages"]]


@pytest.mark.parametrize("path", [CHANNEL, GROUP, ACCOUNT], ids=lambda p: p.name)
def test_the_stream_reads_what_a_whole_load_reads_whatever_the_chunk(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    doc = json.loads(data.replace(b"\\x0B", b"\\u000b"))  # the one escape JSON has not (see desktop._X_ESCAPE)
    expected = [{"chat": chat, "message": msg} for chat, msg in _whole_messages(doc)]
    for chunk in (1, 7, 64, 1 << 20):
        monkeypatch.setattr(reader, "CHUNK", chunk)
        recs = _records(data)
        assert [r.error for r in recs] == [None] * len(expected)
        assert [r.line for r in recs] == list(range(1, len(expected) + 1))
        got = [{"chat": {k: v for k, v in r.obj["chat"].items() if k != "peer"}, "message": r.obj["message"]}
               for r in recs]
        assert got == expected
        assert all(orjson.loads(r.raw) == r.obj for r in recs)  # a raw record is the whole record


def test_an_account_export_reads_chats_and_left_chats_and_skips_every_other_section() -> None:
    posts = _posts(ACCOUNT)
    assert set(posts) == {"352475318/1", "352475318/2", "1698765432/2", "1698765432/3", "1698765432/4",
                          "1698765432/5", "5001001001/1", "1555000111/9001"}
    assert posts["1555000111/9001"]["community"] == "Open debate"  # a left chat
    assert posts["1698765432/3"]["community"] == "Campaign researchers"
    # A personal chat is named after the other person: no community; saved messages have no name.
    assert posts["352475318/2"]["community"] is None and posts["5001001001/1"]["community"] is None


def test_a_chat_whose_name_comes_after_its_messages_is_held_until_its_end() -> None:
    doc = {"id": 77, "messages": [{"id": 1, "type": "message", "date_unixtime": "1600000000", "from": "A",
                                   "from_id": "user1", "text": "hi"}], "name": "Sorted", "type": "private_group"}
    recs = _records(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
    assert [r.obj["chat"] for r in recs] == [{"id": 77, "name": "Sorted", "type": "private_group", "peer": "chat77"}]
    assert desktop.parse(recs[0].obj)[0]["community"] == "Sorted"


def test_ids_authors_kinds_and_entities() -> None:
    posts = _posts(CHANNEL)
    first = posts["1487851422/2"]
    assert (first["author_id"], first["author_name"], first["kind"]) == ("channel1487851422", "Campaign Watch", "original")
    assert first["hashtags"] == ["YesAllWomen", "NotAllMen"] and first["hashtags_norm"] == ["yesallwomen", "notallmen"]
    assert first["like_count"] == 44  # the sum of its reactions
    thread = posts["1487851422/3"]
    assert thread["urls"] == ["https://example.org/thread?id=7"] and thread["mentions"] == ["womensvoices"]
    assert thread["text"] == "Thread of the day: read it here via @womensvoices #yesallwomen"
    forward = posts["1487851422/4"]
    assert (forward["kind"], forward["repost_of_id"], forward["repost_of_author"]) == ("repost", None, "Data Desk")
    assert forward["hashtags"] == ["YesAllWomen"]  # a forward carries its own copy of the text
    assert posts["1487851422/8"]["reply_to_id"] == "1487851422/3"
    assert posts["1487851422/8"]["hashtags"] == ["YesAllWomen"]  # a cashtag is no hashtag
    assert posts["1487851422/9"]["text"] is None  # a photo without a caption
    assert "1487851422/1" not in posts and "1487851422/5" not in posts  # service messages
    # A reply to a message of another chat names that chat.
    assert _posts(ACCOUNT)["1698765432/5"]["reply_to_id"] == "1487851422/3"
    hidden = _posts(GROUP)["4001234567/7"]  # a forward whose source is hidden: forwarded_from is null
    assert hidden["kind"] == "repost" and hidden["repost_of_author"] is None


def test_control_characters_written_as_x_escapes_are_read() -> None:
    """Telegram Desktop writes a vertical tab as \\x0B, which JSON has not: the message is still read."""
    assert b"\\x0B" in CHANNEL.read_bytes()
    post = _posts(CHANNEL)["1487851422/7"]
    assert post["text"] == "Column one\x0bcolumn two #МыВместе" and post["hashtags"] == ["МыВместе"]


def _msg(**fields: Any) -> dict[str, Any]:
    return {"chat": {"id": 5, "name": "G", "type": "private_group"},
            "message": {"id": 1, "type": "message", "date_unixtime": "1600000000", "from": "A", "from_id": "user1",
                        **fields}}


def test_text_entities_are_preferred_and_a_plain_string_has_no_tags() -> None:
    listed = desktop.parse(_msg(text=["a ", {"type": "hashtag", "text": "#One"}]))[0]
    assert listed["hashtags"] == ["One"] and listed["text"] == "a #One"
    both = desktop.parse(_msg(text=["a ", {"type": "hashtag", "text": "#One"}],
                              text_entities=[{"type": "plain", "text": "a "}, {"type": "hashtag", "text": "#Two"}]))[0]
    assert both["hashtags"] == ["Two"]
    plain = desktop.parse(_msg(text="words #not_marked"))[0]  # Telegram marked no hashtag: none is read
    assert plain["hashtags"] == [] and plain["text"] == "words #not_marked"


@pytest.mark.parametrize(("fields", "reason"), [
    ({"id": None}, "missing message id"),
    ({"id": 1.5}, "id is not an integer"),
    ({"type": "poll_vote"}, "unknown message type 'poll_vote'"),
    ({"date_unixtime": "soon"}, "bad date_unixtime: 'soon'"),
    ({"date_unixtime": None, "date": None}, "missing date"),
    ({"date_unixtime": None, "date": "15.01.2023"}, "bad date: '15.01.2023'"),
])
def test_what_cannot_be_mapped_says_why(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError, match=reason.replace("(", r"\(").replace(".", r"\.")):
        desktop.parse(_msg(**fields))


def test_dates_without_date_unixtime_are_read_in_the_given_zone(tmp_path: Path) -> None:
    utc = _posts(GROUP)["4001234567/2"]["created_at"]
    moscow = _posts(GROUP, tz="Europe/Moscow")["4001234567/2"]["created_at"]
    assert utc == datetime(2023, 1, 15, 12, 52) and moscow == datetime(2023, 1, 15, 9, 52)
    # date_unixtime is UTC already: the zone changes nothing.
    assert _posts(CHANNEL, tz="Pacific/Auckland") == _posts(CHANNEL) | {}
    with Store(tmp_path / "s") as store:
        store.ingest([str(GROUP)], tz="Europe/Moscow")
        before = store.sql("SELECT id, created_at FROM posts ORDER BY id").to_pylist()
        assert before[0]["created_at"] == datetime(2023, 1, 15, 9, 52)
        from tagscope.store.remap import remap

        remap(store)  # the zone is in the raw records: a remap reads them as the ingest did
        assert store.sql("SELECT id, created_at FROM posts ORDER BY id").to_pylist() == before
        with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
            store.ingest([str(GROUP)], tz="Mars/Olympus")


def test_cli_ingest_takes_tz(tmp_path: Path) -> None:
    from tagscope.cli import app

    runner = CliRunner()
    store = str(tmp_path / "s")
    result = runner.invoke(app, ["ingest", str(GROUP), "--store", store, "--tz", "Europe/Moscow", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # 7 messages: 5 posts, 2 service messages counted as skipped, none quarantined.
    assert (summary["records"], summary["ingested"], summary["quarantined"]) == (7, 5, 0)
    assert summary["skipped"] == {"telegram service message (no post: a join, pin, call...)": 2}
    with Store(store) as st:
        assert st.sql("SELECT min(created_at) AS t FROM posts").to_pylist()[0]["t"] == datetime(2023, 1, 15, 9, 52)
    bad = runner.invoke(app, ["ingest", str(GROUP), "--store", store, "--tz", "Nowhere"])
    assert bad.exit_code != 0 and "unknown time zone" in bad.output


def test_a_later_export_brings_an_edited_text(tmp_path: Path) -> None:
    def export(text: str, edited: bool) -> bytes:
        msg = {"id": 3, "type": "message", "date_unixtime": "1600000000", "from": "A", "from_id": "user1",
               "text": ["v ", {"type": "hashtag", "text": f"#{text}"}]}
        if edited:
            msg["edited"], msg["edited_unixtime"] = "2020-09-13T15:00:00", "1600009200"
        return orjson.dumps({"name": "G", "type": "private_group", "id": 5, "messages": [msg]}, option=orjson.OPT_INDENT_2)

    (tmp_path / "a.json").write_bytes(export("First", False))
    (tmp_path / "b.json").write_bytes(export("Second", True))
    with Store(tmp_path / "s") as store:
        store.ingest([str(tmp_path / "a.json")])
        store.ingest([str(tmp_path / "b.json")])
        rows = store.sql("SELECT id, text, hashtags FROM posts").to_pylist()
    assert rows == [{"id": "5/3", "text": "v #Second", "hashtags": ["Second"]}]


def test_a_cut_export_keeps_the_messages_before_the_cut(tmp_path: Path) -> None:
    data = ACCOUNT.read_bytes()
    cut = data[: data.index(b'"Annotated sample')]
    recs = _records(cut)
    assert [r.error is None for r in recs] == [True] * 4 + [False]
    assert recs[-1].line == 5 and recs[-1].error.startswith("invalid JSON document: the file ends inside a value")
    (tmp_path / "cut.json").write_bytes(cut)
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(tmp_path / "cut.json")])
        assert (summary["ingested"], summary["quarantined"]) == (3, 1)
        rows = store.sql("SELECT source_line, source_format FROM quarantine").to_pylist()
    assert rows == [{"source_line": 5, "source_format": "telegram-desktop"}]


def test_a_broken_message_is_quarantined_alone() -> None:
    doc = (b'{"name": "G", "type": "private_group", "id": 5, "messages": [\n'
           b' {"id": 1, "type": "message", "date_unixtime": "1600000000", "text": "a"},\n'
           b' {"id": 2, "type": "message", "date_unixtime": "1600000000", "text": "b" "c"},\n'
           b' {"id": 3, "type": "message", "date_unixtime": "1600000000", "text": "d"}\n]}')
    recs = _records(doc)
    assert [(r.line, r.error is None) for r in recs] == [(1, True), (2, False), (3, True)]
    assert recs[1].error.startswith("invalid JSON")


def test_sniff_tells_the_two_exports_from_other_json() -> None:
    assert desktop.sniff(CHANNEL.read_bytes()) and desktop.sniff(ACCOUNT.read_bytes())
    assert desktop.sniff(b'{\n "name": "X",\n "type": "personal_chat",\n "id": 1,\n "messages": []\n}')
    assert not desktop.sniff(b'{"messages": [{"id": 1}], "type": "inbox"}')
    assert not desktop.sniff(b'{"about": "me", "name": "x"}')
    assert not desktop.sniff(b'[{"id": 1, "type": "message"}]')


def test_forget_scrubs_reactions_mentions_and_the_personal_chat_name(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        store.ingest([str(ACCOUNT)])
        forget(store, authors=["user352475318"])  # Anna Petrova
        store.refresh()
        assert "user352475318" not in set(store.posts().column("author_id").to_pylist())
        raws = [orjson.loads(r) for r in store.sql("SELECT raw FROM raw").column("raw").to_pylist()]
    assert raws and all(b"Anna Petrova" not in orjson.dumps(r) for r in raws)
    mila = next(r for r in raws if r["message"]["id"] == 4)
    assert mila["message"]["text_entities"][1] == {"type": "plain", "text": ""}
    assert [x["from"] for x in mila["message"]["reactions"][0]["recent"]] == []
    kickoff = next(r for r in raws if r["chat"]["id"] == 1698765432 and r["message"]["id"] == 2)
    assert [x["from"] for x in kickoff["message"]["reactions"][0]["recent"]] == ["Mila K"]
    personal = next(r for r in raws if r["chat"]["id"] == 352475318)
    assert personal["chat"]["name"] is None and personal["message"]["from"] == "Dana Researcher"


def _samples() -> list[Any]:
    return [r.obj for path in (CHANNEL, GROUP, ACCOUNT) for r in _records(path.read_bytes()) if r.error is None]


_SAMPLES = _samples()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parse_of_a_record_with_any_value_replaced_raises_only_parse_error(data: st.DataObject) -> None:
    _check("telegram-desktop", with_one_value_replaced(data, _SAMPLES))
    obj = with_one_value_replaced(data, _SAMPLES)
    assert formats.get("telegram-desktop").scrub(obj, formats.Forgotten.of(accounts=["user1"])) in (True, False)


# JSON values as a file holds them (no Infinity; integers orjson reads back as integers).
_json = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=10)
                     | st.floats(allow_nan=False, allow_infinity=False),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_messages = st.lists(st.one_of(
    _json,
    st.fixed_dictionaries({"id": st.integers(-5, 10**12) | _json,
                           "type": st.sampled_from(["message", "service", "unsupported", "other"]),
                           "date_unixtime": st.integers(0, 2**31).map(str) | _json,
                           "text": st.text(max_size=20) | st.lists(st.text(max_size=5) | st.fixed_dictionaries(
                               {"type": st.sampled_from(["hashtag", "link", "text_link", "mention"]),
                                "text": st.text(max_size=8)}), max_size=3)})),
    max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_messages, st.booleans())
def test_every_message_is_a_post_a_skipped_record_or_quarantined(messages: list[Any], account: bool) -> None:
    """Nothing is lost silently: every message of an export is one record, which maps to its post, to
    nothing (a service message, counted as skipped), or to the quarantine with a reason."""
    chat = {"name": "G", "type": "public_channel", "id": 9, "messages": messages}
    doc = {"about": "x", "chats": {"about": "y", "list": [chat]}} if account else chat
    recs = _records(json.dumps(doc, indent=1).encode())
    assert [r.line for r in recs] == list(range(1, len(messages) + 1))
    for rec, msg in zip(recs, messages, strict=True):
        assert rec.error is None and rec.obj["message"] == msg
        try:
            items = desktop.parse(rec.obj)
        except ParseError as exc:
            assert str(exc)
            continue
        kind = msg.get("type") if isinstance(msg, dict) else None
        assert len(items) == 1 and isinstance(items[0], dict if kind == "message" else Skipped)
        _check("telegram-desktop", rec.obj)


def test_an_export_folder_is_read_as_one_input_and_its_media_are_not_posts(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2023-01-15"
    (folder / "photos").mkdir(parents=True)
    (folder / "result.json").write_bytes(CHANNEL.read_bytes())
    (folder / "photos" / "photo_1@15-01-2023_12-50-00.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a post")
    assert desktop.claims_path(folder) and not desktop.claims_path(DATA) and not desktop.claims_path(CHANNEL)
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(tmp_path)])
    assert [f["format"] for f in summary["files"]] == ["telegram-desktop"]
    assert (summary["records"], summary["ingested"], summary["quarantined"]) == (10, 8, 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(alphabet='{}[]",: \n\\abx0', max_size=200).map(str.encode), st.booleans())
def test_the_reader_of_any_bytes_yields_numbered_records_and_never_raises(data: bytes, chat: bool) -> None:
    head = b'{"name": "G", "type": "public_channel", "id": 1, "messages": [\n' if chat else b""
    recs = _records(head + data)
    assert [r.line for r in recs] == sorted(r.line for r in recs) and all(r.line >= 1 for r in recs)
    assert all(r.error is None or (isinstance(r.error, str) and r.error) for r in recs)
    assert sum(r.error is not None and r.error.startswith("invalid JSON document") for r in recs) <= 1


def test_deeply_nested_chat_lists_are_not_walked() -> None:
    """Chat lists are read at the top of an account export only: nesting them cannot recurse."""
    deep = b'{"about": "x", "chats": {"list": [' + b'{"chats": {"list": [' * 5000 + b"]}}" * 5000 + b"]}}"
    assert _records(deep) == []


def test_forget_finds_a_record_naming_the_user_only_in_a_mention_name(tmp_path: Path) -> None:
    """A mention_name gives a bare user id: the record lists it as a peer ("mentioned"), so forget's
    search for the account's id finds the record and the scrub takes the name out."""
    def msg(mid: int, sender: tuple[str, str], text: list[Any]) -> dict[str, Any]:
        return {"id": mid, "type": "message", "date_unixtime": str(1600000000 + mid), "from": sender[0],
                "from_id": sender[1], "text": text}

    anna, bob = ("Anna Petrova", "user352475318"), ("Bob", "user77")
    doc = {"name": "G", "type": "private_supergroup", "id": 5, "messages": [
        msg(1, anna, ["first words from Anna"]),
        msg(2, bob, ["thanks ", {"type": "mention_name", "text": "Anna Petrova", "user_id": 352475318}, "!"])]}
    (tmp_path / "result.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    with Store(tmp_path / "s") as store:
        store.ingest([str(tmp_path / "result.json")])
        forget(store, authors=["user352475318"])
        store.refresh()
        raws = store.sql("SELECT id, raw FROM raw").to_pylist()
    assert [r["id"] for r in raws] == ["5/2"]
    kept = orjson.loads(raws[0]["raw"])
    assert kept["mentioned"] == ["user352475318"] and b"Anna Petrova" not in raws[0]["raw"]
    assert kept["message"]["text"] == ["thanks ", "", "!"]


def test_a_zipped_export_is_read_as_one_input(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("ChatExport_2023-01-15/result.json", CHANNEL.read_bytes())
        zf.writestr("ChatExport_2023-01-15/photos/photo_1@15-01-2023_12-50-00.jpg", b"\xff\xd8\xff\xe0 not a post")
        zf.writestr("other/result.json", b'{"status": "ok"}')  # another tool's result.json: not claimed
    assert desktop.zip_roots(["a/result.json", "a/photos/p.jpg", "b/result.json", "c/result.json", "c/notes/x"]) == ["a/"]
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(tmp_path / "export.zip")])
    files = {f["file"]: f for f in summary["files"]}
    export = files[f"{tmp_path / 'export.zip'}!ChatExport_2023-01-15/"]
    assert (export["format"], export["records"], export["posts"], export["quarantined"]) == ("telegram-desktop", 10, 8, 0)
    assert files[f"{tmp_path / 'export.zip'}!other/result.json"]["format"] != "telegram-desktop"
