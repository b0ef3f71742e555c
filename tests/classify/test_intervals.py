"""Wilson intervals at the edges: misogyny --json prints these bounds, so 0 and 1 must be exact."""

from __future__ import annotations

from tagscope.classify.intervals import wilson


def test_all_or_none_gives_exact_bounds_not_a_float_residue() -> None:
    # centre - half left 2.7e-20 instead of 0 for a group with no labelled post.
    for n in (1, 7, 10, 1_000, 123_457):
        assert wilson(0, n)[0] == 0.0
        assert wilson(n, n)[1] == 1.0
    lo, hi = wilson(3, 10)
    assert 0.0 < lo < 0.3 < hi < 1.0
