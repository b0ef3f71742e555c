"""The shipped model files: fixed texts, the label command, evaluate's shape and floor scores."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
from typer.testing import CliRunner

from tagscope.classify import datasets, predict
from tagscope.classify.base import Batch
from tagscope.classify.linear import LinearModel
from tagscope.classify.registry import DEFAULT, all_models, parse
from tagscope.cli import app

runner = CliRunner()


def test_sexism_on_plain_cases() -> None:
    out = predict("sexism", [
        "Women are too emotional to be leaders, they belong in the kitchen",
        "The train was late again this morning",
    ])
    assert [lab for lab, _ in out] == ["sexist", "not sexist"]
    assert all(0.5 <= s <= 1 for _, s in out)


def test_every_default_model_labels_a_batch() -> None:
    texts = ["I was followed home by a man last night #YesAllWomen", "Feminism is cancer", "", "Bonjour à tous"]
    models = all_models()
    for name in DEFAULT:
        labels, scores = models[name].load().predict(Batch(texts))
        assert len(labels) == len(scores) == len(texts), name
        if models[name].labels:
            assert set(labels) <= set(models[name].labels), name


def test_language_and_sentiment() -> None:
    assert predict("language", ["Ceci est une phrase en français, évidemment."])[0][0] == "fr"
    labels = [lab for lab, _ in predict("sentiment", ["I love this, what a wonderful day!", "This is awful, I hate it"])]
    assert labels == ["positive", "negative"]


def test_fine_grained_sexism_is_none_unless_sexist() -> None:
    out = predict("sexism-category", ["Nice weather today", "Women should be beaten if they talk back"])
    assert out[0][0] == "none"
    assert out[1][0] != "none"


def test_hate_is_opt_in() -> None:
    assert "hate" not in parse(None)
    assert all_models()["hate"].opt_in


def test_unknown_model_is_an_error_naming_the_choices() -> None:
    with pytest.raises(KeyError, match="sexism"):
        parse("sexism,nope")


def test_model_file_round_trip(tmp_path) -> None:
    model = all_models()["stance"].load().model
    model.save(tmp_path / "m.npz")
    again = LinearModel.load(tmp_path / "m.npz")
    texts = ["Feminism is about equality for all", "feminists are ruining everything"]
    assert model.predict(texts)[0] == again.predict(texts)[0]


def test_label_command_writes_one_json_object_per_line() -> None:
    result = runner.invoke(app, ["label", "sexism"], input="Women are inferior to men\nlovely day\n\n")
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["label"] == "sexist"
    assert set(rows[1]) == {"label", "score"}


def test_label_command_rejects_unknown_model() -> None:
    result = runner.invoke(app, ["label", "nope"], input="x\n")
    assert result.exit_code == 2


def test_evaluate_json_reports_every_dataset_at_least_at_the_tfidf_reference(monkeypatch) -> None:
    monkeypatch.delenv("TAGSCOPE_HATEVAL", raising=False)
    result = runner.invoke(app, ["evaluate", "--json"])
    assert result.exit_code == 0, result.output
    results = orjson.loads(result.stdout)["results"]
    assert all(set(r) >= {"model", "dataset", "metric", "score"} for r in results)
    by = {(r["model"], r["dataset"]): r["score"] for r in results}
    assert by[("sexism", "edos-a")] >= 0.771  # the TF-IDF reference in shared/data/README.md
    assert by[("sexism-category", "edos-b")] >= 0.512
    assert by[("sexism-vector", "edos-c")] >= 0.311
    assert by[("stance", "stance-feminist")] >= 0.553
    assert by[("sexism", "guest2021")] >= 0.457
    assert by[("sentiment", "umsab-en")] > by[("vader-baseline", "umsab-en")]
    assert by[("testimony-labels", "testimony")] >= 0.8


def test_hate_is_scored_only_with_its_data(tmp_path) -> None:
    result = runner.invoke(app, ["evaluate", "--models", "hate", "--hateval", str(tmp_path), "--json"])
    assert result.exit_code == 0
    body = orjson.loads(result.stdout)
    assert body["results"] == []
    assert "not shipped" in body["skipped"][0]


def test_training_is_reproducible(tmp_path) -> None:
    """Byte for byte on one machine; against the shipped file, the same vocabulary and weights up to
    the last bit of a float16 and the same test labels: the solver's floating-point sums differ in the
    last bits between CPUs (an AMD EPYC rebuild differed from the shipped file in 10 of 40,509
    coefficients, by at most 1.5e-5)."""
    from tagscope.classify.tasks import STANCE as TASK

    first = TASK.train(out=tmp_path / "a.npz")
    again = TASK.train(out=tmp_path / "b.npz")
    assert first.read_bytes() == again.read_bytes()
    built, shipped = np.load(first), np.load(TASK.path)
    assert built.files == shipped.files
    for key in ("keep", "idf"):
        assert np.array_equal(built[key], shipped[key])
    assert np.allclose(built["coef"], shipped["coef"], rtol=0, atol=1e-4)
    assert np.allclose(built["intercept"], shipped["intercept"], rtol=0, atol=1e-4)
    texts = [r["text"] for r in datasets.rows("stance_feminist", "test")]
    labels = [TASK.load(p).predict(Batch(texts))[0] for p in (first, TASK.path)]
    assert labels[0] == labels[1]
