"""The topic model behind ``topics``: TF-IDF of words and word pairs, factored by NMF, fit on a sample.

Kept apart from the analytic (which reads posts through the engine and counts) so the bench can fit
the same model on any list of texts, and so scikit-learn is imported only when a model is fit:
``import tagscope.analytics`` must not load it.

Why TF-IDF + NMF: on short posts it gives more coherent and more distinct topics than LDA (what 4CAT
ships) in less time (bench/bench_topics.py), it is deterministic for a seed, and a fitted model
assigns a million posts in seconds. Topic words are never hashtags, links, mentions, the tag itself
or spellings within a few edits of it (as ``variants`` counts near misses).
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .variants import default_distance, distance

# What is not a topic word: links, @mentions, #hashtags (removed before tokenising), and "RT".
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#＃]\w+|\bRT\b", re.UNICODE)
TOKEN = r"(?u)\b[^\W\d_][\w'’]*[^\W_]\b"  # words of 2+ characters that start with a letter
EXTRA_STOP = frozenset({"amp", "rt", "via", "just", "like", "don", "doesn", "didn", "isn", "im", "it's", "i'm", "don't",
                        "can't", "won't", "that's", "you're", "they're", "we're", "i've", "didn't", "doesn't", "isn't"})
AUTO_RANGE = (5, 8, 10, 12, 15, 20)  # k tried by --k auto: a campaign's sub-topics are a handful, not fifty
TOP_WORDS = 10


def clean(text: str | None) -> str:
    """A post's text as the model reads it: no links, mentions, hashtags; lower case."""
    return _NOISE.sub(" ", text or "").lower()


class TooFew(ValueError):
    """Too few posts with words besides tags and links to learn topics from."""


@dataclass
class Model:
    """A fitted topic model: its vocabulary, topic-term weights and the rule that chose k."""

    vectorizer: Any
    nmf: Any
    terms: list[str]
    k: int
    k_rule: str
    scores: dict[int, float]

    def words(self, n: int = TOP_WORDS) -> list[list[str]]:
        """Each topic's N heaviest terms (TF-IDF already weighs a term by how few posts use it). Ranking by
        the topic's share of a term instead names topics by rare words that seldom occur together: on EDOS
        it cost 0.2 NPMI for little diversity (bench/RESULTS.md)."""
        import numpy as np

        return [[self.terms[j] for j in np.argsort(-row, kind="stable")[:n] if row[j] > 0] for row in self.nmf.components_]

    def assign(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """(topic index, weight) per text; -1 for a text with no topic words (only tags, links, stop words)."""

        return self.assign_matrix(vectorize_all(self.vectorizer, texts))

    def assign_matrix(self, x: Any) -> tuple[Any, Any]:
        """`assign` of texts already vectorised by this model's vectoriser."""
        import numpy as np

        w = self.nmf.transform(x)
        best = w.argmax(axis=1)
        weight = w[np.arange(w.shape[0]), best]
        best[weight <= 0] = -1
        return best, weight


def stop_words(tag: str, vocabulary: Sequence[str] = ()) -> list[str]:
    """English stop words, chat filler, the tag and any vocabulary word within the tag's near-miss distance."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    limit = max(1, default_distance(tag))
    near = {w for w in vocabulary if distance(tag, w, limit) <= limit}
    return sorted(ENGLISH_STOP_WORDS | EXTRA_STOP | {tag} | near)


def vectorizer(tag: str, n_docs: int, stop: list[str] | None = None) -> Any:
    """TF-IDF of words and word pairs. A term must be in 1 of 700 texts (at least 2): rarer ones make
    topics of a few posts whose words score badly on coherence (EDOS: NPMI -0.02 at 3 posts, +0.02 at 30)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        token_pattern=TOKEN, stop_words=stop if stop is not None else stop_words(tag), ngram_range=(1, 2),
        min_df=max(2, n_docs // 700), max_df=0.4, max_features=20_000, sublinear_tf=True)


def fit(texts: Sequence[str], tag: str, k: int | None, seed: int = 0) -> Model:
    """Fit on TEXTS (distinct posts' texts); K topics, or the k of AUTO_RANGE with the best coherence."""
    vec, x = _vectorize(texts, tag)
    with _fitting() as pool:
        return _choose(_results(_submit(pool, vec, x, k, seed)), vec, k)


def fit_assign(texts: Sequence[str], tag: str, k: int | None, seed: int, sample: int) -> tuple[Model, list[str], Any, Any]:
    """`fit_sample`, then `Model.assign` of every text in TEXTS: (model, fit texts, topic per text, weight per text).

    The same answer as those two calls, sooner: the vocabulary does not depend on k, so every text is
    vectorised (Python, holding the GIL) while the NMF fits run in threads (Cython, without the GIL)."""
    fit_texts = _sample(texts, seed, sample)
    vec, x = _vectorize(fit_texts, tag)
    with _fitting() as pool:
        pending = _submit(pool, vec, x, k, seed)
        x_all = vectorize_all(vec, texts)
        model = _choose(_results(pending), vec, k)
    return (model, fit_texts, *model.assign_matrix(x_all))


def vectorize_all(vec: Any, texts: Sequence[str]) -> Any:
    """VEC's matrix of TEXTS, each distinct cleaned text vectorised once: the same matrix as
    ``vec.transform`` (a row depends on its text only), in a third of the time on a campaign, whose
    distinct texts often differ only in their links, mentions or hashtags (50,388 of 156,061 at 1M)."""
    import numpy as np

    rows: dict[str, int] = {}
    which = np.fromiter((rows.setdefault(clean(t), len(rows)) for t in texts), dtype=np.intp, count=len(texts))
    return vec.transform(list(rows))[which]


def _vectorize(texts: Sequence[str], tag: str) -> tuple[Any, Any]:
    """The fitted TF-IDF vectoriser and the TEXTS' matrix (TooFew when no words are left)."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [clean(t) for t in texts]
    try:
        # The tag's near misses are found in the texts' own words, then left out of the vocabulary.
        words = CountVectorizer(token_pattern=TOKEN, lowercase=False).fit(docs).vocabulary_ if docs else {}
        vec = vectorizer(tag, len(docs), stop_words(tag, list(words)))
        return vec, vec.fit_transform(docs)
    except ValueError:  # nothing left to learn from (no words, or too few posts)
        raise TooFew(f"too few posts with words to find topics in ({len(docs)} distinct texts; a few dozen with words "
                     "besides tags and links are needed)") from None


@contextlib.contextmanager
def _fitting(workers: int | None = None) -> Iterator[Any]:
    """A thread per core for the NMF fits, with convergence warnings off. The fits of auto k are independent
    and each is deterministic for its seed, and scikit-learn's coordinate descent releases the GIL: the
    same models in less wall time. Warnings filters are global, not per thread, so they are set here once."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    n = workers or max(1, min(len(AUTO_RANGE), os.cpu_count() or 1))
    # One BLAS thread per fit while several fits run: BLAS threads per fit on top would only wait for cores.
    limits = threadpool_limits(limits=1, user_api="blas") if n > 1 else contextlib.nullcontext()
    with warnings.catch_warnings(), limits, ThreadPoolExecutor(max_workers=n) as pool:
        warnings.simplefilter("ignore", ConvergenceWarning)  # stopping at max_iter changes the words by nothing readable
        yield pool


def _submit(pool: Any, vec: Any, x: Any, k: int | None, seed: int) -> list[tuple[int, Any]]:
    """The NMF fit for K, or one per k of AUTO_RANGE scored by coherence, started on POOL: [(k, future of
    (score, nmf))] in the order tried; the largest k first, so the cores finish together."""
    terms = list(vec.get_feature_names_out())
    n_max = max(1, min(x.shape[0] - 1, x.shape[1] - 1))
    tried = [k] if k else [c for c in AUTO_RANGE if c <= n_max] or [min(2, n_max)]
    tried = [max(1, min(c, n_max)) for c in tried]
    binary = (x > 0).astype("float32").tocsc() if not k else None
    index = {t: i for i, t in enumerate(terms)}

    def one(c: int) -> tuple[float, Any]:
        nmf = _nmf(c, seed).fit(x)
        if k:
            return 0.0, nmf
        return round(npmi(binary, index, Model(vec, nmf, terms, c, "", {}).words()), 4), nmf

    futures = {c: pool.submit(one, c) for c in sorted(set(tried), reverse=True)}
    return [(c, futures[c]) for c in tried]


def _results(pending: list[tuple[int, Any]]) -> list[tuple[int, float, Any]]:
    return [(c, *f.result()) for c, f in pending]


def _nmf(c: int, seed: int) -> Any:
    from sklearn.decomposition import NMF

    return NMF(n_components=c, init="nndsvda", random_state=seed, max_iter=300, tol=1e-4)


def _choose(fits: list[tuple[int, float, Any]], vec: Any, k: int | None) -> Model:
    """The model of K, or of the k with the best coherence (ties: the first tried, the smaller k)."""
    terms = list(vec.get_feature_names_out())
    if k:
        c, _, nmf = fits[0]
        return Model(vec, nmf, terms, c, f"k = {c} as asked", {})
    scores = {c: s for c, s, _ in fits}
    best: tuple[float, int, Any] | None = None
    for c, s, nmf in fits:
        if best is None or s > best[0] + 1e-9:
            best = (s, c, nmf)
    assert best is not None
    tried = [c for c, _, _ in fits]
    rule = f"k = {best[1]}: the best mean NPMI coherence of the top {TOP_WORDS} words among k in {tried}"
    return Model(vec, best[2], terms, best[1], rule, scores)


def _sample(texts: Sequence[str], seed: int, sample: int) -> list[str]:
    """A seeded uniform sample of SAMPLE of the distinct TEXTS, sorted first so it depends on the texts and the seed only."""
    import random

    texts = sorted(texts)
    if len(texts) > sample:
        picked = sorted(random.Random(seed).sample(range(len(texts)), sample))
        texts = [texts[i] for i in picked]
    return texts


def fit_sample(texts: Sequence[str], tag: str, k: int | None, seed: int, sample: int) -> tuple[Model, list[str]]:
    """Fit on a seeded uniform sample of SAMPLE of the distinct TEXTS (sorted, so the sample depends on the
    texts and the seed only): the model and the texts it was fit on. The analytic and the bench share it."""
    texts = _sample(texts, seed, sample)
    return fit(texts, tag, k, seed), texts


def npmi(binary: Any, index: dict[str, int], topics: list[list[str]], n: int = TOP_WORDS) -> float:
    """Mean NPMI of each topic's top-N term pairs, over documents (BINARY: docs x terms, 0/1, CSC).

    NPMI(a, b) = log(p(a,b) / p(a)p(b)) / -log p(a,b), from document co-occurrence; a pair never seen
    together scores -1. The coherence measure of Bouma (2009), as topic-model papers report it."""
    import numpy as np

    n_docs = binary.shape[0]
    scores = []
    for words in topics:
        cols = [index[w] for w in words[:n] if w in index]
        if len(cols) < 2:
            continue
        sub = binary[:, cols]
        co = (sub.T @ sub).toarray()
        p = np.diag(co) / n_docs
        vals = []
        for i in range(len(cols)):
            for j in range(i + 1, len(cols)):
                pij = co[i, j] / n_docs
                if pij <= 0:
                    vals.append(-1.0)
                elif pij >= 1:
                    vals.append(1.0)
                else:
                    vals.append(math.log(pij / (p[i] * p[j])) / -math.log(pij))
        scores.append(sum(vals) / len(vals))
    return sum(scores) / len(scores) if scores else 0.0


def diversity(topics: list[list[str]], n: int = 25) -> float:
    """Share of distinct words among all topics' top-N words (Dieng et al. 2020): 1 = no word repeated."""
    words = [w for t in topics for w in t[:n]]
    return len(set(words)) / len(words) if words else 0.0
