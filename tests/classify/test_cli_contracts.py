"""The classifier commands as a user drives them: awkward input and misspelt names give clear errors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.classify import labels as label_store
from tagscope.cli import app
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

runner = CliRunner()


@pytest.fixture
def labelled(tmp_path: Path) -> Store:
    recs = [
        tweet("1", "a", tags=["YesAllWomen"]),
        tweet("2", "b", user="bob", tags=["YesAllWomen"]),
        tweet("3", "c", user="cat", tags=["NotAllMen"]),
    ]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    ids = ["1", "2", "3"]
    label_store.write(st, "stance", "v1", ["twitter"] * 3, ids, ["favor", "against", "against"], [0.9] * 3)
    label_store.write(st, "sexism", "v1", ["twitter"] * 3, ids, ["not sexist", "sexist", "sexist"], [0.9] * 3)
    return st


def _said(result) -> str:
    """What the command printed, with the console's line wrapping undone."""
    return " ".join(result.output.split())


def _rows(stdout: str) -> list[dict]:
    return [orjson.loads(line) for line in stdout.splitlines()]


def test_label_reads_invalid_utf8_and_crlf_one_object_per_line() -> None:
    text = b"Women are inferior to men\r\nbad \xff\xfe bytes\n\n\xc3(\nlovely day"
    result = runner.invoke(app, ["label", "sexism"], input=text)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    rows = _rows(result.stdout)
    assert len(rows) == 5
    assert all(set(r) == {"label", "score"} and 0 <= r["score"] <= 1 for r in rows)
    assert rows[0]["label"] == "sexist"  # the \r did not reach the model as part of the text


def test_label_ignores_a_byte_order_mark_before_the_first_line() -> None:
    plain = runner.invoke(app, ["label", "stance"], input=b"feminism is cancer\n")
    bom = runner.invoke(app, ["label", "stance"], input=b"\xef\xbb\xbffeminism is cancer\n")
    assert bom.exit_code == 0, bom.output
    assert _rows(bom.stdout) == _rows(plain.stdout)


def test_where_and_by_name_the_choices_for_a_misspelt_model_or_label(labelled: Store) -> None:
    store = ["--store", str(labelled.path)]
    ok = runner.invoke(app, ["count", "yesallwomen", "--where", "stance=against", *store, "--json"])
    assert ok.exit_code == 0 and orjson.loads(ok.stdout)["count"] == 1
    res = runner.invoke(app, ["count", "yesallwomen", "--where", "stance=againts", *store, "--json"])
    assert res.exit_code == 2 and res.stdout == ""
    assert "no label 'againts': choose one of none, against, favor" in _said(res)
    res = runner.invoke(app, ["count", "yesallwomen", "--where", "stanse=against", *store])
    assert res.exit_code == 2 and "No model named 'stanse'" in _said(res)
    res = runner.invoke(app, ["trend", "yesallwomen", "--by", "stanse", *store])
    assert res.exit_code == 2 and "No model named 'stanse'" in _said(res)


def test_misogyny_rejects_negative_top_and_unknown_model_or_label(labelled: Store) -> None:
    store = ["--store", str(labelled.path)]
    ok = runner.invoke(app, ["misogyny", *store, "--json"])
    assert ok.exit_code == 0 and orjson.loads(ok.stdout)["overall"]["positive"] == 2
    res = runner.invoke(app, ["misogyny", "--top", "-1", *store])
    assert res.exit_code == 2
    assert "Traceback" not in res.output and "--top" in res.output
    res = runner.invoke(app, ["misogyny", "--positive", "misogynist", *store, "--json"])
    assert res.exit_code == 2 and res.stdout == "" and "not sexist, sexist" in _said(res)
    res = runner.invoke(app, ["misogyny", "--model", "sexsim", *store, "--json"])
    assert res.exit_code == 2 and "No model named 'sexsim'" in _said(res)
    other = runner.invoke(app, ["misogyny", "--model", "stance", "--positive", "against", *store, "--json"])
    assert other.exit_code == 0 and orjson.loads(other.stdout)["overall"]["positive"] == 2


@pytest.mark.parametrize("args", [
    ["classify", "--json"], ["backlash", "yesallwomen", "--json"], ["misogyny", "--json"],
])
def test_a_misspelt_store_is_an_error_not_a_row_of_zeros(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "stoer"
    res = runner.invoke(app, [*args, "--store", str(missing)])
    assert res.exit_code == 2 and res.stdout == ""
    assert "holds no posts yet" in _said(res)
    assert not missing.exists()


def test_python_predict_takes_lone_surrogates() -> None:
    from tagscope.classify import predict

    # json.loads('"...\\ud83d"') gives such a string: a Twitter text cut in the middle of an emoji.
    cut = "Women belong in the kitchen \ud83d"
    out = predict("sexism", [cut, "x\udcffy", "pair \ud83d\ude00 kept"])
    assert len(out) == 3
    assert out[0] == predict("sexism", ["Women belong in the kitchen \ufffd"])[0]
    assert out[0][0] == "sexist"


def test_evaluate_rejects_a_misspelt_tier() -> None:
    res = runner.invoke(app, ["evaluate", "--models", "testimony", "--model", "acurate", "--json"])
    assert res.exit_code == 2 and res.stdout == ""
    assert "Use --model fast or --model accurate (got 'acurate')" in _said(res)


@pytest.mark.parametrize("n", [1, 3, 317, 13756])
def test_wilson_bounds_are_exact_at_zero_and_all(n: int) -> None:
    from tagscope.classify.intervals import wilson

    assert wilson(0, n)[0] == 0.0 and 0 < wilson(0, n)[1] < 1
    assert wilson(n, n)[1] == 1.0 and 0 < wilson(n, n)[0] < 1


@pytest.mark.parametrize("args", [["backlash", "yesallwomen"], ["misogyny"]])
def test_classifier_analytics_take_csv_and_explain_like_the_others(labelled: Store, args: list[str]) -> None:
    """The README: analytics take --csv and --explain (with --json: `queries` and `rule` keys)."""
    store = ["--store", str(labelled.path)]
    fig = orjson.loads(runner.invoke(app, [*args, *store, "--json"]).stdout)
    res = runner.invoke(app, [*args, *store, "--csv"])
    assert res.exit_code == 0, res.output
    head, *rows = res.stdout.splitlines()
    assert head.split(",")[:2] == (["bucket", "posts"] if args[0] == "backlash" else ["dimension", "group"])
    want = len(fig["buckets"]) if args[0] == "backlash" else 1 + sum(map(len, fig["groups"].values()))  # + overall
    assert len(rows) == want
    res = runner.invoke(app, [*args, *store, "--json", "--explain"])
    d = orjson.loads(res.stdout)
    assert d["queries"] and {"sql", "params"} <= set(d["queries"][0]) and d["rule"]
