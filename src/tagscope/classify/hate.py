"""Hate speech against women (HatEval 2019, English, women-target subset), fast tier. OPT-IN.

HatEval is licensed CC BY-NC 4.0, so neither its data nor anything derived from it is used unless
asked for by name: ``tagscope classify --models hate`` (never part of the default set), and
``tagscope train hate --data DIR`` / ``tagscope evaluate --hateval DIR`` read the user's own copy
(the folder with ``hateval2019_en_{train,dev,test}_fhstp.csv`` and ``test_predicted_target_women.csv``).
The women-target subset: training ids above 4,700, dev ids above 18,700 (the corpus is ordered by
target), test posts whose predicted target is women. HatEval's test set disagrees with its training
labels (dev 0.73 fell to 0.42 on test in the literature): the score is reported, never tuned to.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from .base import Batch, Classifier, macro_f1
from .linear_task import Evaluation, LinearTask

LICENCE = "HatEval 2019 data CC BY-NC 4.0: non-commercial use only; the model file is a derived work"
ENV = "TAGSCOPE_HATEVAL"


def _folder(data: Path | None) -> Path:
    folder = data or (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if folder is None or not (folder / "hateval2019_en_train_fhstp.csv").exists():
        raise FileNotFoundError(
            "HatEval data is not shipped (CC BY-NC 4.0): pass --data/--hateval DIR (or set TAGSCOPE_HATEVAL) "
            "to the folder holding hateval2019_en_*_fhstp.csv"
        )
    return folder


def _read(folder: Path, split: str) -> list[dict[str, str]]:
    with open(folder / f"hateval2019_en_{split}_fhstp.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _label(r: dict[str, str]) -> str:
    return "hate" if r["HS"].strip() == "1" else "not-hate"


def _train(data: Path | None) -> list[tuple[str, str]]:
    return [(r["text"], _label(r)) for r in _read(_folder(data), "train") if int(r["id"]) > 4700]


def _dev(data: Path | None) -> list[tuple[str, str]]:
    return [(r["text"], _label(r)) for r in _read(_folder(data), "dev") if int(r["id"]) > 18700]


def _test(data: Path | None) -> list[tuple[str, str]]:
    folder = _folder(data)
    with open(folder / "test_predicted_target_women.csv", encoding="utf-8", newline="") as fh:
        women = {r["id"] for r in csv.DictReader(fh) if r["women"].strip() == "1"}
    return [(r["text"], _label(r)) for r in _read(folder, "test") if r["id"] in women]


TASK = LinearTask(
    name="hate",
    summary="hate speech against women (HatEval 2019 women subset; CC BY-NC, opt-in)",
    classes=["not-hate", "hate"],
    licence=LICENCE,
    train_rows=_train,
    dev_rows=_dev,
    evaluations=[Evaluation("hateval-women", "macro-F1", _test, macro_f1,
                            {"TweetEval hate, best published (BERTweet)": 0.564, "TweetEval hate, TF-IDF": 0.417})],
    c=2.0,
    opt_in=True,
    needs_data=True,
)
MODELS: dict[str, Classifier] = {"hate": TASK.classifier()}


def predict(texts: list[str]) -> list[tuple[str, float]]:
    labels, scores = TASK.load().predict(Batch(texts))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


def train(data: Path | None = None) -> Path:
    return TASK.train(data)


def evaluate(data: Path | None = None):
    return TASK.evaluate(data)
