"""places: precision and recall on the hand-labelled sample, and the matcher's speed against a plain regex.

    python bench/bench_places.py [--texts 1000000] [--errors]

Quality: tests/data/places-labelled/sample.jsonl holds 320 real posts (EDOS, CC0; Guest et al. 2021,
MIT), labelled by the rules in docs/analytics.md ("places"); a (post, place) pair is one decision,
so a post naming India and Nigeria is two. Speed: the same texts cycled to --texts posts, matched
by the gazetteer (tagscope.analytics.places_gazetteer) and, as the baseline in the same run, by the
way a quick script does it: one case-insensitive regex alternation of every name in the gazetteer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tagscope.analytics.places_gazetteer import load  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "places-labelled" / "sample.jsonl"


def quality(show_errors: bool) -> dict[str, float]:
    g = load()
    tp = fp = fn = 0
    posts = 0
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        posts += 1
        want = set(rec["places"])
        got = {p.code for p, _ in g.match(rec["text"])}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        if show_errors and want != got:
            print(f"  #{rec['n']}: missed {sorted(want - got)}, extra {sorted(got - want)}: {rec['text'][:120]!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"posts": posts, "pairs": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def baseline_matcher():
    """Every gazetteer name in one case-insensitive alternation, longest first (what a quick script does)."""
    g = load()
    names = {}
    for key, entry in g.entries.items():
        if entry.place is not None:
            names[" ".join(key)] = entry.place.code
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)
    return lambda text: [names.get(m.group(1).lower()) for m in pattern.finditer(text)]


def speed(n_texts: int) -> dict[str, float]:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    corpus = [f"{texts[i % len(texts)]} {i}" for i in range(n_texts)]
    g = load()
    t0 = time.perf_counter()
    for text in corpus:
        g.match(text)
    ours = time.perf_counter() - t0
    base = baseline_matcher()
    sample = corpus[: max(1, n_texts // 10)]  # the baseline is slow: time a tenth and scale
    t0 = time.perf_counter()
    for text in sample:
        base(text)
    theirs = (time.perf_counter() - t0) * n_texts / len(sample)
    return {"texts": n_texts, "gazetteer_s": ours, "gazetteer_per_s": n_texts / ours,
            "regex_s_scaled": theirs, "speedup": theirs / ours}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=1_000_000)
    ap.add_argument("--errors", action="store_true", help="list the posts where the matcher and the labels differ")
    args = ap.parse_args()
    q = quality(args.errors)
    print(f"labelled sample: {q['posts']} posts, {q['pairs']} (post, place) pairs: precision {q['precision']:.3f}, "
          f"recall {q['recall']:.3f}, F1 {q['f1']:.3f} (tp {q['tp']}, fp {q['fp']}, fn {q['fn']})")
    s = speed(args.texts)
    print(f"speed: {s['texts']:,} texts in {s['gazetteer_s']:.1f} s ({s['gazetteer_per_s']:,.0f}/s); "
          f"one regex alternation: {s['regex_s_scaled']:.1f} s (timed on a tenth): {s['speedup']:.1f}x")


if __name__ == "__main__":
    main()
