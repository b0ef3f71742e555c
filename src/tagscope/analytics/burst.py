"""Burst detection: Kleinberg's two-state automaton on counts per time bucket.

J. Kleinberg, "Bursty and Hierarchical Structure in Streams", KDD 2002 (Data Mining and Knowledge
Discovery 7(4), 2003). The stream is cut into equal buckets; the base state emits posts at the mean
rate λ0 = total / buckets, the burst state at s·λ0 (s = 2 as in the paper). Each bucket costs
-log P(count | λ) under a Poisson model; entering the burst state costs γ·ln(n) (γ = 1, n buckets),
leaving it is free. The cheapest state sequence (Viterbi) marks the bursts.
"""

from __future__ import annotations

import math


def states(counts: list[int], *, s: float = 2.0, gamma: float = 1.0) -> list[int]:
    """0 (base) or 1 (burst) for each bucket."""
    n = len(counts)
    total = sum(counts)
    if n == 0 or total == 0:
        return [0] * n
    lam = (total / n, s * total / n)
    up = gamma * math.log(n) if n > 1 else 0.0

    def emit(state: int, c: int) -> float:
        return lam[state] - c * math.log(lam[state])  # -log Poisson without the shared log(c!)

    cost = [emit(0, counts[0]), up + emit(1, counts[0])]
    back: list[tuple[int, int]] = []
    for c in counts[1:]:
        from0 = (cost[0], 0) if cost[0] <= cost[1] else (cost[1], 1)  # leaving a burst is free
        from1 = (cost[0] + up, 0) if cost[0] + up < cost[1] else (cost[1], 1)
        back.append((from0[1], from1[1]))
        cost = [from0[0] + emit(0, c), from1[0] + emit(1, c)]
    state = 0 if cost[0] <= cost[1] else 1
    path = [state]
    for b in reversed(back):
        state = b[state]
        path.append(state)
    return path[::-1]


def runs(path: list[int]) -> list[tuple[int, int]]:
    """(first, last) bucket index of each burst."""
    out, start = [], None
    for i, st in enumerate(path):
        if st and start is None:
            start = i
        elif not st and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(path) - 1))
    return out
