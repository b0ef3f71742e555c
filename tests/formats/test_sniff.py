"""Sniffing: each format accepts its own files and rejects every other fixture file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagscope import formats

DATA = Path(__file__).resolve().parents[1] / "data"
OWN = {
    "twitter-v1": "twitter-v1.1",
    "twitter-v2": "twitter-v2",
    "gnip": "gnip",
    "twarc-csv": "twarc-csv",
    "x-archive": "x-archive/folder/data",
    "reddit-pushshift": "reddit-pushshift",
    "mastodon": "mastodon",
    "bluesky-jetstream": "bluesky-jetstream",
    "bluesky-appview": "bluesky-appview",
    "zeeschuimer": "zeeschuimer",
    "4cat-ndjson": "4cat-ndjson",
    "4cat-csv": "4cat-csv",
    "mapped": "mapped-csv/records",
    "bluesky-firehose": "bluesky-firehose/frames",
    "bluesky-car": "bluesky-firehose/car",
    "telegram-desktop": "telegram-desktop",
}
EMPTY = {"empty.json"}


def _files() -> list[tuple[str, Path]]:
    out = []
    for fmt, folder in OWN.items():
        for path in sorted((DATA / folder).iterdir()):
            if path.is_file() and path.suffix != ".md" and path.name not in EMPTY:
                out.append((fmt, path))
    return out


@pytest.mark.parametrize(("owner", "path"), _files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_sniff_matrix(owner: str, path: Path) -> None:
    head = path.read_bytes()[:65536]
    accepted = sorted(name for name in OWN if formats.get(name).sniff(head))
    assert accepted == [owner]
    found = formats.sniff(head)
    assert found is not None and owner == found.NAME


def test_other_platforms_and_text_are_rejected() -> None:
    heads = [
        b"# A heading\nsome text\n",
        b"",
    ]
    for head in heads:
        assert [name for name in OWN if formats.get(name).sniff(head)] == []


def test_a_reddit_line_is_reddit() -> None:
    head = b'{"author":"bob","body":"hi","created_utc":1400000000,"id":"abc","subreddit":"x"}\n'
    assert [name for name in OWN if formats.get(name).sniff(head)] == ["reddit-pushshift"]


def test_mastodon_statuses_and_streams_are_mastodon() -> None:
    for head in (b'[{"id":"110","created_at":"2023-01-01T00:00:00.000Z","content":"<p>hi</p>","account":{"acct":"a"}}]',
                 b'{"stream":["public"],"event":"update","payload":"{\\"id\\":\\"1\\",\\"uri\\":\\"https://a/1\\"}"}\n',
                 b':)\nevent: delete\ndata: 110\n\n'):
        assert [name for name in OWN if formats.get(name).sniff(head)] == ["mastodon"], head


def test_a_jetstream_line_is_bluesky() -> None:
    head = b'{"did":"did:plc:abc","time_us":1725911162329308,"kind":"commit","commit":{"rev":"x","operation":"create"}}\n'
    assert [name for name in OWN if formats.get(name).sniff(head)] == ["bluesky-jetstream"]


def test_empty_file_is_claimed_by_no_format() -> None:
    assert formats.sniff((DATA / "twitter-v2" / "empty.json").read_bytes()) is None


def test_x_archive_claims_folder_and_zip_only() -> None:
    mod = formats.get("x-archive")
    assert mod.claims_path(DATA / "x-archive" / "folder")
    assert mod.claims_path(DATA / "x-archive" / "folder" / "data")
    assert mod.claims_path(DATA / "x-archive" / "twitter-2026-03-06-example.zip")
    assert not mod.claims_path(DATA / "twitter-v2")
    assert not mod.claims_path(DATA / "twitter-v2" / "brexit.jsonl")


def test_v1_stream_opening_with_delete_notices() -> None:
    for head in (b'{"delete":{"status":{"id":1,"id_str":"1","user_id":2,"user_id_str":"2"},"timestamp_ms":"1"}}\n',
                 b'{"delete": {"status": {"id": 1, "id_str": "1"}, "timestamp_ms": "1"}}\n'):
        found = formats.sniff(head)
        assert found is not None and found.NAME == "twitter-v1"
