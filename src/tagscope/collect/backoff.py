"""Reconnect delays: exponential with jitter, reset once a connection has delivered events."""

from __future__ import annotations

import random


class Backoff:
    """Delays of FIRST, 2*FIRST, ... up to CAP seconds, each with +-JITTER of random spread (many
    collectors dropped by one server restart must not all come back in the same instant)."""

    def __init__(self, first: float = 0.5, cap: float = 60.0, jitter: float = 0.2):
        self.first, self.cap, self.jitter = first, cap, jitter
        self.attempt = 0

    def next(self) -> float:
        delay = min(self.cap, self.first * (2 ** self.attempt))
        self.attempt += 1
        return delay * (1 + random.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        self.attempt = 0
