"""topics (TF-IDF + NMF) against scikit-learn's LDA (what 4CAT ships), on the same posts, in one run.

    nice python bench/bench_topics.py [--posts 200000] [--seed 2014] [--scale STORE]

Three corpora: the simulated demo campaign with planted sub-topics (``simulate --topics``, cached
under $TAGSCOPE_BENCH_DIR), EDOS (Reddit and Gab posts) and Guest et al. 2021 (Reddit) from
../shared/data. On each, both models are fit on the same sample of distinct texts (the analytic's
seeded sample) with the same vocabulary rule and the same k (NMF's automatic k), and assign every
distinct text. Reported:

- recovery (simulated only): adjusted Rand index and NMI of each post's topic against its planted
  label, over the posts that carry one (reposts count for their subject, as the analytic counts);
- coherence: mean NPMI of each topic's top-10 terms over the whole corpus (document co-occurrence of
  every distinct text, unigrams and bigrams), and diversity: distinct share of the top-25 terms;
- time: fit + assign, wall seconds, this process (the machine may be shared: load average printed).

``--scale STORE`` also times ``tagscope topics yesallwomen`` on a store (e.g. one of 1M posts) as a
child process (wall, CPU, peak RSS).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path
from typing import Any

import orjson
from common import WORK, fresh_dir, mb, measure, tagscope_cmd

from tagscope.analytics import topics_model as tm

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
TAG = "yesallwomen"


def simulated(posts: int, seed: int) -> tuple[list[str], list[str], dict[str, str], Path]:
    """(post ids, their texts, planted label by id, store) of a simulated campaign with planted topics."""
    import tagscope
    from tagscope.engines import engine_for

    folder = WORK / f"topics-{posts}-{seed}"
    store = folder / "store"
    if not (folder / "ingested").exists():
        fresh_dir(folder)
        measure(tagscope_cmd("simulate", "--out", str(folder / "campaign"), "--posts", str(posts), "--seed", str(seed),
                             "--topics", "--json")).check()
        files = [str(p) for p in sorted((folder / "campaign").glob("campaign-v*.jsonl"))]
        measure(tagscope_cmd("ingest", "--store", str(store), "--json", *files)).check()
        (folder / "ingested").write_text("yes\n")
    with tagscope.open(store) as st:
        rows = engine_for(st, None).query(
            "SELECT id, text FROM posts WHERE list_has_any(hashtags_norm, ?) ORDER BY id", [[TAG]]).to_pylist()
    with open(folder / "campaign" / "topics.csv", newline="") as fh:
        labels = {r["id"]: r["topic"] for r in csv.DictReader(fh)}
    return [r["id"] for r in rows], [r["text"] or "" for r in rows], labels, store


def edos() -> list[str]:
    with open(SHARED / "edos" / "edos_labelled_aggregated.csv", newline="") as fh:
        return [r["text"].replace("[USER]", " ").replace("[URL]", " ") for r in csv.DictReader(fh)]


def guest() -> list[str]:
    with open(SHARED / "guest2021_reddit_misogyny" / "final_labels.csv", newline="") as fh:
        return [r["body"] for r in csv.DictReader(fh) if r["body"] and r["body"] not in ("[deleted]", "[removed]")]


def lda(fit_texts: list[str], texts: list[str], tag: str, k: int, seed: int) -> tuple[list[list[str]], Any, float]:
    """scikit-learn LDA as 4CAT runs it (counts, default priors and batch learning), on the same
    vocabulary rule as NMF: (top terms per topic, each text's topic, seconds to fit and assign)."""
    import numpy as np
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    started = time.perf_counter()
    docs = [tm.clean(t) for t in fit_texts]
    words = CountVectorizer(token_pattern=tm.TOKEN, lowercase=False).fit(docs).vocabulary_
    tfidf = tm.vectorizer(tag, len(docs), tm.stop_words(tag, list(words)))
    vec = CountVectorizer(token_pattern=tm.TOKEN, stop_words=tfidf.stop_words, ngram_range=tfidf.ngram_range,
                          min_df=tfidf.min_df, max_df=tfidf.max_df, max_features=tfidf.max_features)
    x = vec.fit_transform(docs)
    model = LatentDirichletAllocation(n_components=k, random_state=seed).fit(x)
    assigned = model.transform(vec.transform([tm.clean(t) for t in texts])).argmax(axis=1)
    seconds = time.perf_counter() - started
    terms = vec.get_feature_names_out()
    top = [[str(terms[j]) for j in np.argsort(-row, kind="stable")[: tm.TOP_WORDS * 3]] for row in model.components_]
    return top, assigned, seconds


def reference(texts: list[str], tag: str) -> tuple[Any, dict[str, int]]:
    """The corpus NPMI is counted over: every distinct text, unigrams and bigrams, binary."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [tm.clean(t) for t in texts]
    words = CountVectorizer(token_pattern=tm.TOKEN, lowercase=False).fit(docs).vocabulary_
    vec = CountVectorizer(token_pattern=tm.TOKEN, stop_words=tm.stop_words(tag, list(words)), ngram_range=(1, 2),
                          binary=True, dtype="float64")
    x = vec.fit_transform(docs).tocsc()
    return x, {str(t): i for i, t in enumerate(vec.get_feature_names_out())}


def compare(name: str, texts: list[str], tag: str, seed: int, sample: int, k: int | None = None) -> dict[str, Any]:
    """Both models on the distinct TEXTS: coherence, diversity, time, and each text's topic."""
    distinct = sorted(set(texts))
    started = time.perf_counter()
    model, fit_texts = tm.fit_sample(distinct, tag, k, seed, sample)
    nmf_assigned, _ = model.assign(distinct)
    nmf_seconds = time.perf_counter() - started
    nmf_words = model.words(25)
    lda_words, lda_assigned, lda_seconds = lda(fit_texts, distinct, tag, model.k, seed)
    binary, index = reference(distinct, tag)
    out = {
        "corpus": name, "texts": len(texts), "distinct": len(distinct), "fit_on": len(fit_texts), "k": model.k,
        "k_rule": model.k_rule,
        "nmf": {"npmi": tm.npmi(binary, index, nmf_words), "diversity": tm.diversity(nmf_words), "seconds": nmf_seconds,
                "topics": [w[:6] for w in nmf_words]},
        "lda": {"npmi": tm.npmi(binary, index, lda_words), "diversity": tm.diversity(lda_words), "seconds": lda_seconds,
                "topics": [w[:6] for w in lda_words]},
    }
    out["_assigned"] = {"nmf": dict(zip(distinct, nmf_assigned.tolist(), strict=True)),
                        "lda": dict(zip(distinct, lda_assigned.tolist(), strict=True))}
    return out


def recovery(result: dict[str, Any], ids: list[str], texts: list[str], labels: dict[str, str]) -> None:
    """ARI and NMI against the planted labels, over the posts that carry one."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    keep = [(labels[i], t) for i, t in zip(ids, texts, strict=True) if i in labels]
    truth = [lab for lab, _ in keep]
    for m in ("nmf", "lda"):
        pred = [result["_assigned"][m][t] for _, t in keep]
        result[m]["ari"] = adjusted_rand_score(truth, pred)
        result[m]["nmi"] = normalized_mutual_info_score(truth, pred)
    result["planted_posts"] = len(keep)


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| corpus | posts (distinct texts; fit on) | k | model | NPMI top-10 | diversity top-25 | ARI | NMI | fit + assign s |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for m, label in (("nmf", "topics: TF-IDF + NMF"), ("lda", "LDA (4CAT's)")):
            s = r[m]
            ari = f"{s['ari']:.3f}" if "ari" in s else "–"
            nmi = f"{s['nmi']:.3f}" if "nmi" in s else "–"
            lines.append(f"| {r['corpus']} | {r['texts']:,} ({r['distinct']:,}; {r['fit_on']:,}) | {r['k']} | {label} | "
                         f"{s['npmi']:.3f} | {s['diversity']:.3f} | {ari} | {nmi} | {s['seconds']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=200_000, help="simulated campaign size (the demo's)")
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--k", type=int, default=None, help="a fixed k for every corpus (default: NMF's auto k)")
    ap.add_argument("--scale", type=Path, default=None, help="a store to time `tagscope topics` on")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    ids, texts, labels, store = simulated(args.posts, args.seed)
    r = compare(f"simulated {args.posts:,}", texts, TAG, 0, args.sample, args.k)
    recovery(r, ids, texts, labels)
    results.append(r)
    results.append(compare("EDOS", edos(), "", 0, args.sample, args.k))
    results.append(compare("Guest 2021", guest(), "", 0, args.sample, args.k))
    for r in results:
        print(f"\n{r['corpus']}: {r['k_rule']}")
        for m in ("nmf", "lda"):
            for i, words in enumerate(r[m]["topics"][:12]):
                print(f"  {m} {i}: {', '.join(words)}")
    print("\n" + table(results))
    for path in (store, *([args.scale] if args.scale else [])):
        timed(path)


def timed(store: Path) -> None:
    """`tagscope topics` on STORE as a child process: wall, CPU, peak RSS."""
    run = measure(tagscope_cmd("topics", TAG, "--store", str(store), "--json")).check()
    d = orjson.loads(run.stdout)
    print(f"\n`tagscope topics {TAG}` on {store}: {d['posts']:,} posts, {d['texts']:,} distinct texts, fit on "
          f"{d['fit_on']:,}, k = {d['k']}: {run.seconds:,.1f} s wall, {run.cpu_seconds:,.1f} s CPU, "
          f"peak RSS {mb(run.peak_rss)}; load average {os.getloadavg()[0]:.1f}")
    for t in d["topics"]:
        print(f"  {t['topic']:>2} {t['share']:6.1%} start {t['start']} peak {t['peak']} faded {t['faded']}: "
              f"{', '.join(t['words'][:6])}")


if __name__ == "__main__":
    main()
