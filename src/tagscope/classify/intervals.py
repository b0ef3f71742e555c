"""Confidence intervals for shares of labelled posts."""

from __future__ import annotations

import math


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float | None, float | None]:
    """Wilson score interval (95% by default) of a proportion; (None, None) when n is 0.

    Chosen over the normal approximation because it stays inside [0, 1] and behaves for small
    groups and rates near 0, which is what per-hashtag misogyny rates look like."""
    if n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 or n successes the bound is exactly 0 or 1, not a float residue of centre - half.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high
