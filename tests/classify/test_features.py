"""The shared n-gram features: deterministic, position-independent, robust to odd input."""

from __future__ import annotations

import numpy as np

from tagscope.classify import features


def test_a_text_gets_the_same_row_wherever_it_is_in_a_batch() -> None:
    a = features.counts(["Women belong everywhere #YesAllWomen", "short"])
    b = features.counts(["first post", "", "Women belong everywhere #YesAllWomen"])
    assert (a[0] != b[2]).nnz == 0
    assert a[0].nnz > 20


def test_urls_mentions_case_and_spaces_do_not_change_features() -> None:
    a = features.counts(["@alice Read THIS   http://t.co/abc now"])
    b = features.counts(["@bob read this https://example.org/x?y=1 now"])
    assert (a != b).nnz == 0


def test_separator_characters_inside_texts_do_not_shift_rows() -> None:
    x = features.counts(["a\x00b http://x.y/\x00", "\x01", "last one"])
    assert x.shape[0] == 3
    y = features.counts(["last one"])
    assert (x[2] != y[0]).nnz == 0


def test_counts_are_counts() -> None:
    x = features.counts(["no no no"])
    assert x.data.max() >= 3  # the word 'no' three times


def test_weigh_scales_words_and_characters_to_unit_length() -> None:
    x = features.counts(["women are people", "men too"])
    y = features.weigh(x, np.ones(features.N_FEATURES, dtype=np.float32))
    for row in range(2):
        r = y[row]
        words = r.data[r.indices < features.N_WORD]
        chars = r.data[r.indices >= features.N_WORD]
        assert abs(float((words**2).sum()) - 1) < 1e-5
        assert abs(float((chars**2).sum()) - 1) < 1e-5


def test_empty_batch_and_empty_texts() -> None:
    assert features.counts([]).shape == (0, features.N_FEATURES)
    assert features.counts(["", ""]).shape[0] == 2
