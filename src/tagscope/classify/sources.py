"""Where a fast-tier task's (text, label) rows come from: a set shipped in ``classify/data``, or a
set the user holds (HatEval, whose CC BY-NC licence keeps it out of the package)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import datasets

Rows = list[tuple[str, str]]  # (text, label)
HATEVAL_WOMEN_AFTER = {"train": 4700, "dev": 18700}  # HatEval ids after which the posts target women


class Source(Protocol):
    def rows(self, split: str, data: Path | None = None) -> Rows: ...


@dataclass(frozen=True)
class Shipped:
    """A shipped set (see :mod:`.datasets`): ``row[key]`` is the label; ``where`` keeps rows whose
    field equals a value (EDOS B and C are labelled on the sexist posts only)."""

    name: str
    key: str = "label"
    where: tuple[str, str] | None = None

    def rows(self, split: str, data: Path | None = None) -> Rows:
        keep = self.where
        return [(r["text"], r[self.key]) for r in datasets.rows(self.name, split) if keep is None or r[keep[0]] == keep[1]]


@dataclass(frozen=True)
class HatEval:
    """HatEval 2019 English, women-target subset, read from the user's copy (``--data``/``--hateval``
    or ``TAGSCOPE_HATEVAL``): the folder with ``hateval2019_en_{train,dev,test}_fhstp.csv`` and
    ``test_predicted_target_women.csv``. The corpus is ordered by target: training ids above 4,700 and
    dev ids above 18,700 are about women; test posts are those whose predicted target is women."""

    env: str = "TAGSCOPE_HATEVAL"

    def folder(self, data: Path | None) -> Path:
        folder = data or (Path(os.environ[self.env]) if os.environ.get(self.env) else None)
        if folder is None or not (folder / "hateval2019_en_train_fhstp.csv").exists():
            raise FileNotFoundError(
                "HatEval data is not shipped (CC BY-NC 4.0): pass --data/--hateval DIR (or set TAGSCOPE_HATEVAL) "
                "to the folder holding hateval2019_en_*_fhstp.csv"
            )
        return folder

    def rows(self, split: str, data: Path | None = None) -> Rows:
        folder = self.folder(data)
        with open(folder / f"hateval2019_en_{split}_fhstp.csv", encoding="utf-8", newline="") as fh:
            records = list(csv.DictReader(fh, delimiter=";"))
        if split == "test":
            with open(folder / "test_predicted_target_women.csv", encoding="utf-8", newline="") as fh:
                women = {r["id"] for r in csv.DictReader(fh) if r["women"].strip() == "1"}
            records = [r for r in records if r["id"] in women]
        else:
            records = [r for r in records if int(r["id"]) > HATEVAL_WOMEN_AFTER[split]]
        return [(r["text"], "hate" if r["HS"].strip() == "1" else "not-hate") for r in records]
