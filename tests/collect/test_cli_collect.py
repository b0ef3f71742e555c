"""The `collect` commands' options: what to collect must be said, --since takes a cursor or a time."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from tagscope.cli import app
from tagscope.cli.collect import parse_since

runner = CliRunner()


def test_collect_bluesky_needs_a_filter(tmp_path) -> None:
    pytest.importorskip("websockets")
    res = runner.invoke(app, ["collect", "bluesky", "--store", str(tmp_path / "s")])
    assert res.exit_code == 2 and "--tag" in res.output


def test_since_is_a_cursor_or_a_time() -> None:
    assert parse_since(None) is None
    assert parse_since("1783175888085434") == 1783175888085434
    assert parse_since("2026-07-04T14:38:08Z") == 1783175888000000
    assert parse_since("1970-01-02") == 86_400_000_000
    with pytest.raises(typer.BadParameter):
        parse_since("yesterday-ish")


def test_replay_server_refuses_a_missing_file(tmp_path) -> None:
    pytest.importorskip("websockets")
    res = runner.invoke(app, ["collect", "replay-server", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2 and "no such file" in res.output
