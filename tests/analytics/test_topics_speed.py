"""What makes `topics` faster must not change its answer: the fits on threads give the models fit one
after the other, bit for bit; each distinct cleaned text vectorised once gives `transform`'s matrix; and
`fit_assign` gives what `fit_sample` then `assign` give."""

from __future__ import annotations

import random

import numpy as np
import pytest

pytest.importorskip("sklearn")
from tagscope.analytics import topics_model as tm

WORDS = {
    "cats": "cat kitten litter vet shelter whiskers purr",
    "trains": "train platform ticket commuters delayed cancelled station",
    "garden": "garden tomatoes compost seedlings watering soil harvest",
    "pay": "salary wage gap raise boss promotion contract",
    "school": "campus dorm lecture exam professor tuition library",
}


def corpus(n: int = 600, seed: int = 1) -> list[str]:
    """Texts of five word families, many differing only in a mention, a link or a hashtag."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = WORDS[rng.choice(sorted(WORDS))].split()
        text = " ".join(rng.choice(words) for _ in range(rng.randint(4, 9)))
        out.append(f"{text} @user{i % 7} #SaveThem https://t.co/{i % 11}")
    return sorted(set(out))


def test_fits_on_threads_are_the_sequential_fits_bit_for_bit():
    texts = corpus()
    vec, x = tm._vectorize(texts, "savethem")
    with tm._fitting() as pool:
        threaded = tm._results(tm._submit(pool, vec, x, None, 0))
    with tm._fitting(workers=1) as one:
        sequential = tm._results(tm._submit(one, vec, x, None, 0))
    assert [c for c, _, _ in threaded] == list(tm.AUTO_RANGE)
    for (c, s, nmf), (c2, s2, nmf2) in zip(threaded, sequential, strict=True):
        assert (c, s) == (c2, s2)
        assert nmf.components_.tobytes() == nmf2.components_.tobytes()


def test_vectorising_distinct_cleaned_texts_once_gives_the_same_matrix():
    texts = corpus()
    assert len({tm.clean(t) for t in texts}) < len(texts)  # the case it is for: texts equal once cleaned
    vec, _ = tm._vectorize(texts[:300], "savethem")
    a = vec.transform([tm.clean(t) for t in texts])
    b = tm.vectorize_all(vec, texts)
    assert a.shape == b.shape and a.dtype == b.dtype
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, part), getattr(b, part))


@pytest.mark.parametrize("k", [None, 4])
def test_fit_assign_is_fit_sample_then_assign(k):
    texts = corpus()
    model, fit_texts = tm.fit_sample(texts, "savethem", k, 3, 250)
    assigned, weight = model.assign(texts)
    model2, fit_texts2, assigned2, weight2 = tm.fit_assign(texts, "savethem", k, 3, 250)
    assert (model2.k, model2.k_rule, model2.scores, fit_texts2) == (model.k, model.k_rule, model.scores, fit_texts)
    assert model2.nmf.components_.tobytes() == model.nmf.components_.tobytes()
    assert assigned2.tolist() == assigned.tolist() and weight2.tobytes() == weight.tobytes()


def test_only_tags_and_links_say_too_few():
    """Texts with no words at all: the empty figure's TooFew, not the "empty vocabulary" ValueError scikit-learn raised here before."""
    with pytest.raises(tm.TooFew):
        tm.fit_assign(["#SaveThem https://t.co/x", "#SaveThem @bob"], "savethem", None, 0, 100)
