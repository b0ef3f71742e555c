"""Copy the labelled sets tagscope trains on into the package (run once, by a maintainer).

``python -m tagscope.classify.build_data /path/to/shared/data`` writes ``classify/data/<set>.jsonl.gz``:
one JSON object per line with ``text``, ``split`` and the set's labels, so ``tagscope train`` and
``tagscope evaluate`` never need the original checkouts. HatEval (CC BY-NC 4.0) is NOT copied:
``tagscope train hate --data DIR`` and ``tagscope evaluate --hateval DIR`` read it from the user's copy.
Output is deterministic (sorted keys, fixed gzip mtime) so re-running it changes no bytes.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from pathlib import Path
from typing import Any

import orjson

from ..files import replacing

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

OUT = Path(__file__).resolve().parent / "data"


def _write(name: str, rows: list[dict[str, Any]]) -> None:
    OUT.mkdir(exist_ok=True)
    with replacing(OUT / f"{name}.jsonl.gz") as tmp, open(tmp, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh:
        for r in rows:
            fh.write(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n")
    print(f"wrote {len(rows):,} rows to {name}.jsonl.gz")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _unescape(text: str) -> str:
    """UMSAB keeps JSON escapes such as ``\\u2019`` as literal text: decode them."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _tweeteval(folder: Path, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for split, fname in (("train", "train"), ("dev", "val"), ("test", "test")):
        texts = _lines(folder / f"{fname}_text.txt")
        labels = _lines(folder / f"{fname}_labels.txt")
        assert len(texts) == len(labels), folder
        rows += [{"text": _unescape(t).strip(), "split": split, "label": names[int(y)]} for t, y in zip(texts, labels, strict=True)]
    return rows


def build(src: Path) -> None:
    with open(src / "edos/edos_labelled_aggregated.csv", encoding="utf-8", newline="") as fh:
        edos = [
            {"id": r["rewire_id"], "text": r["text"], "split": r["split"], "a": r["label_sexist"],
             "b": r["label_category"], "c": r["label_vector"]}
            for r in csv.DictReader(fh)
        ]
    _write("edos", edos)
    with open(src / "guest2021_reddit_misogyny/final_labels.csv", encoding="utf-8", newline="") as fh:
        guest = [
            {"id": r["entry_id"], "text": r["body"], "split": r["split"], "subreddit": r["subreddit"],
             "level_1": r["level_1"], "level_2": r["level_2"]}
            for r in csv.DictReader(fh)
        ]
    _write("guest2021", guest)
    _write("stance_feminist", _tweeteval(src / "tweeteval/stance/feminist", ["none", "against", "favor"]))
    _write("olid", _tweeteval(src / "tweeteval/offensive", ["not-offensive", "offensive"]))
    _write("umsab_en", _tweeteval(src / "umsab_sentiment/english", ["negative", "neutral", "positive"]))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
