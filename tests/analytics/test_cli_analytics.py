"""The analytics commands: JSON shapes promised in issue 3, CSV, --explain, errors that say what to do."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.cli import app
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

runner = CliRunner()


def run(camp, *args: str) -> str:
    res = runner.invoke(app, [*args, "--store", str(camp.path)])
    assert res.exit_code == 0, res.output
    return res.stdout


def js(camp, *args: str) -> dict:
    return orjson.loads(run(camp, *args, "--json"))


def test_count_json(camp):
    assert js(camp, "count", "#YesAllWomen")["count"] == 7
    assert js(camp, "count", "yesallwomen", "--no-reposts")["count"] == 6
    assert js(camp, "count", "yesallwomen", "--since", "2014-05-25", "--tz", "Asia/Tokyo")["count"] == 3
    assert js(camp, "count", "yesallwomen", "--platform", "bluesky")["count"] == 0


def test_trend_json_buckets_are_iso_utc(camp):
    d = js(camp, "trend", "yesallwomen", "notallmen", "--every", "day")
    assert d["series"][0] == {"hashtag": "yesallwomen", "bucket": "2014-05-24T00:00:00Z", "count": 5}
    assert {tuple(s) for s in d["series"]} == {("hashtag", "bucket", "count")}
    assert len(d["series"]) == 6
    cum = js(camp, "trend", "yesallwomen", "--cumulative")
    assert cum["series"][-1]["count"] == 7


def test_origin_notables_cotags_json(camp):
    first = js(camp, "origin", "yesallwomen", "--first", "2")["first"]
    assert [(f["post_id"], f["author"], f["created_at"]) for f in first] == [
        ("1", "alice", "2014-05-24T10:00:00Z"), ("2", "bob", "2014-05-24T10:05:00Z")]
    acc = js(camp, "notables", "yesallwomen", "--top", "2")["accounts"]
    assert [(a["author"], a["followers"]) for a in acc] == [("frank", 20000), ("bob", 5000)]
    assert js(camp, "notables", "yesallwomen", "--by", "engagement", "--top", "1")["accounts"][0]["author"] == "gina"
    assert js(camp, "cotags", "yesallwomen")["hashtags"][0] == {"hashtag": "everydaysexism", "count": 1}


def test_other_commands_json(camp, tmp_path):
    assert js(camp, "velocity", "yesallwomen")["first_use"] == "2014-05-24T10:00:00Z"
    assert {g["pronouns"] for g in js(camp, "audience", "yesallwomen")["groups"]} == {"she", "he", "they", "none"}
    assert js(camp, "links", "yesallwomen")["domains"] == [{"domain": "example.org", "count": 2}]
    assert js(camp, "variants", "everydaysexism")["variants"][-1]["hashtag"] == "everdaysexism"
    out = tmp_path / "rt.graphml"
    d = js(camp, "network", "yesallwomen", "--kind", "retweet", "-o", str(out))
    assert (d["nodes"], d["edges"]) == (2, 1) and out.exists()


def test_csv_and_explain(camp):
    rows = list(csv.DictReader(io.StringIO(run(camp, "cotags", "yesallwomen", "--csv"))))
    assert rows == [{"hashtag": "everydaysexism", "count": "1"}, {"hashtag": "notallmen", "count": "1"}]
    d = js(camp, "count", "yesallwomen", "--explain")
    assert d["count"] == 7 and "tag_hours" in d["queries"][-1]["sql"] and d["queries"][-1]["params"] == ["yesallwomen"]
    table = run(camp, "trend", "yesallwomen", "--explain")
    assert "2014-05-24T00:00:00Z" in table and "date_trunc" in table


@pytest.mark.parametrize(("args", "hint"), [
    (["trend", "yesallwomen", "--every", "month"], "minute, hour, day or week"),
    (["count", "yesallwomen", "--since", "last week"], "ISO 8601"),
    (["count", "yesallwomen", "--tz", "Nowhere/Land"], "IANA"),
    (["notables", "yesallwomen", "--by", "likes"], "followers, reach or engagement"),
])
def test_errors_say_what_to_do(camp, args, hint):
    res = runner.invoke(app, [*args, "--store", str(camp.path)])
    assert res.exit_code == 2
    assert hint in res.output.replace("\n", " ")


def test_trend_until_alone_with_no_uses_is_an_empty_series(camp):
    """Only --until and no use before it left no start for the axis: an IndexError traceback."""
    assert js(camp, "trend", "yesallwomen", "--until", "2000-01-01")["series"] == []
    assert js(camp, "trend", "nosuchtag", "--until", "2014-06-01", "--every", "hour")["series"] == []
    d = js(camp, "trend", "yesallwomen", "--until", "2014-05-27")
    assert [s["count"] for s in d["series"]] == [5, 0, 2]


def test_trend_axis_too_long_is_an_error_not_a_hang(camp):
    """Thirty years of minutes (15.8M empty buckets) ran for minutes; now a clear error."""
    res = runner.invoke(app, ["trend", "yesallwomen", "--every", "minute", "--since", "2000-01-01",
                              "--until", "2030-01-01", "--store", str(camp.path)])
    assert res.exit_code == 2 and "coarser --every" in " ".join(res.output.split())
    assert len(js(camp, "trend", "yesallwomen", "--every", "hour", "--since", "2000-01-01",
                  "--until", "2030-01-01")["series"]) == (30 * 365 + 8) * 24  # 8 leap days


@pytest.mark.parametrize(("args", "key"), [
    (["notables", "yesallwomen", "--top"], "accounts"), (["cotags", "yesallwomen", "--top"], "hashtags"),
    (["links", "yesallwomen", "--top"], "urls"), (["origin", "yesallwomen", "--first"], "first"),
    (["variants", "everydaysexism", "--max-distance"], "variants"),
])
def test_limits_past_64_bits_mean_everything(camp, args, key):
    """A --top beyond a 64-bit integer reached DuckDB's LIMIT ? (or orjson) and ended in a traceback."""
    assert js(camp, *args, "99999999999999999999")[key] == js(camp, *args, "1000")[key]


def test_network_limits_and_unwritable_output(camp, tmp_path):
    """--min-degree past 64 bits broke the JSON; -o into a missing folder was a FileNotFoundError traceback."""
    d = js(camp, "network", "yesallwomen", "--kind", "cohashtag", "--min-degree", "99999999999999999999",
           "-o", str(tmp_path / "n.gexf"))
    assert (d["nodes"], d["edges"]) == (0, 0)
    res = runner.invoke(app, ["network", "yesallwomen", "-o", str(tmp_path / "nowhere" / "n.gexf"),
                              "--store", str(camp.path)])
    assert res.exit_code == 2 and "Cannot write" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("cmd", [["count", "yesallwomen"], ["trend", "yesallwomen"], ["notables", "yesallwomen"]])
def test_missing_store_is_an_error_not_zero(tmp_path, cmd):
    """A mistyped --store printed count 0 (exit 0), as if the tag had never been used."""
    for where in (tmp_path / "typo", tmp_path):
        res = runner.invoke(app, [*cmd, "--store", str(where), "--json"])
        assert res.exit_code == 2 and res.stdout == ""
        assert "no store at" in " ".join(res.output.split())


@pytest.mark.parametrize("cmd", [["count", "yesallwomen"], ["trend", "yesallwomen"], ["cotags", "yesallwomen"]])
def test_swapped_window_is_an_error(camp, cmd):
    """--since after --until printed count 0 and an empty trend; search already refused it."""
    res = runner.invoke(app, [*cmd, "--since", "2014-06-01", "--until", "2014-05-01", "--store", str(camp.path)])
    assert res.exit_code == 2 and "--until must be later than --since" in " ".join(res.output.split())


def test_tables_print_brackets_as_text(tmp_path):
    """Cells were Rich markup: a display name "Jane [she/her]" lost its pronouns, "[/]" in a name,
    URL or typed time crashed the command with a MarkupError traceback."""
    rec = tweet("1", "#YesAllWomen", user="jane", tags=["YesAllWomen"], followers=9)
    rec["user"]["name"] = "Jane [she/her] [/]"
    rec["entities"]["urls"] = [{"url": "http://t.co/x", "expanded_url": "http://ex.org/a[/]b"}]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [rec]))])
    res = runner.invoke(app, ["notables", "yesallwomen", "--store", str(st.path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "Jane [she/her] [/]" in res.stdout
    res = runner.invoke(app, ["links", "yesallwomen", "--store", str(st.path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "http://ex.org/a[/]b" in res.stdout
    res = runner.invoke(app, ["count", "yesallwomen", "--since", "[/]", "--store", str(st.path)])
    assert res.exit_code == 2 and "(got '[/]')" in res.output


def test_platform_ignores_case(camp):
    """Platforms are stored lower-case: --platform Twitter printed count 0 with exit 0."""
    assert js(camp, "count", "yesallwomen", "--platform", "Twitter")["count"] == 7
    assert js(camp, "trend", "yesallwomen", "--platform", " TWITTER ") == js(camp, "trend", "yesallwomen", "--platform", "twitter")


def test_csv_neutralises_formulas_in_text_never_numbers(tmp_path):
    """A display name "=HYPERLINK(...)" was written as-is: Excel or LibreOffice ran it as a formula
    when a journalist opened the CSV. Text starting with = + - @ tab or CR now starts with a quote; a CR
    inside a name was left unquoted, so readers split the row there and its second half began a new row."""
    names = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1)", "\tTab", "\rCR", "Plain -x", "Mid\r=1+1"]
    recs = []
    for i, name in enumerate(names, start=1):
        rec = tweet(str(i), "#YesAllWomen", user=f"u{i}", tags=["YesAllWomen"], followers=100 - i)
        rec["user"]["name"] = name
        recs.append(rec)
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    res = runner.invoke(app, ["notables", "yesallwomen", "--csv", "--store", str(st.path)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["name"] for r in rows] == ["'" + n for n in names[:-2]] + ["Plain -x", "Mid\r=1+1"]
    assert [r["followers"] for r in rows] == [str(100 - i) for i in range(1, 9)]  # numbers stay numbers
    from tagscope.analytics.display import csv_cell

    assert [csv_cell(v) for v in (-5, -0.5, True, None, "-5", ["=a", "b"])] == [-5, -0.5, True, None, "'-5", "'=a|b"]
    # --json is the lossless output: untouched.
    assert orjson.loads(run(st, "notables", "yesallwomen", "--json"))["accounts"][0]["name"] == names[0]


def test_velocity_csv_is_machine_readable(camp, tmp_path):
    """velocity --csv wrote the table's prose: "1,000 uses" / "2014-...Z (after 8h 58m)", "14,041",
    "3 uses (3/hour)". CSV now carries numbers as numbers and times as ISO 8601 UTC."""
    rows = {(r["metric"], r["uses"]): r for r in csv.DictReader(io.StringIO(run(camp, "velocity", "yesallwomen", "--csv")))}
    assert rows[("uses", "7")]["at"] == ""
    assert rows[("first_use", "")]["at"] == "2014-05-24T10:00:00Z"
    assert rows[("peak", "3")] | {"metric": ""} == {"metric": "", "uses": "3", "at": "2014-05-24T10:00:00Z", "end": "",
                                                     "seconds": "", "per_hour": "3.0"}
    assert rows[("half_life", "")]["seconds"] == "3600"
    assert rows[("milestone", "1000")]["at"] == "" and ("burst", "") in rows
    recs = [tweet(str(i), "#big", user=f"u{i % 50}", tags=["big"], created=f"Sat May 24 10:{i // 100:02d}:00 +0000 2014")
            for i in range(1, 1201)]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    big = {(r["metric"], r["uses"]): r for r in csv.DictReader(io.StringIO(run(st, "velocity", "big", "--csv")))}
    assert big[("uses", "1200")]["at"] == ""
    assert big[("milestone", "1000")]["at"] == "2014-05-24T10:10:00Z" and big[("milestone", "1000")]["seconds"] == "600"
    assert big[("peak", "1200")]["per_hour"] == "1200.0"
    assert "1,000 uses" in run(st, "velocity", "big")  # the table keeps the formatting for people
