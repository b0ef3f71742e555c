"""The collector's counters and its live status line (events/s, matched, stored, lag, reconnects)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Status:
    """What a collector has done so far; :meth:`line` renders it for people, :meth:`as_dict` for --json."""

    events: int = 0  # frames received
    matched: int = 0  # kept by the filter (posts, reposts, likes and deletions of matched posts)
    stored: int = 0  # new posts committed
    duplicates: int = 0
    deleted: int = 0
    quarantined: int = 0
    commits: int = 0
    reconnects: int = 0
    gaps: int = 0
    last_event_us: int | None = None  # the newest event time seen
    started: float = field(default_factory=time.monotonic)
    _rate_at: float = field(default_factory=time.monotonic)
    _rate_events: int = 0
    rate: float = 0.0
    note: str = ""  # the latest thing worth saying (waiting for the lock, reconnecting in N s)

    def lag(self) -> float | None:
        """Seconds between now and the newest event seen (real time minus stream time)."""
        if self.last_event_us is None:
            return None
        return max(time.time() - self.last_event_us / 1e6, 0.0)

    def tick(self) -> None:
        """Update events/s over the time since the last tick."""
        now = time.monotonic()
        if now - self._rate_at >= 0.5:
            self.rate = (self.events - self._rate_events) / (now - self._rate_at)
            self._rate_at, self._rate_events = now, self.events

    def line(self) -> str:
        lag = self.lag()
        lag_s = "-" if lag is None else f"{lag:,.1f} s"
        text = (f"events {self.events:,} ({self.rate:,.0f}/s) · matched {self.matched:,} · stored {self.stored:,} "
                f"· lag {lag_s} · reconnects {self.reconnects:,} · gaps {self.gaps:,}")
        return f"{text} · {self.note}" if self.note else text

    def as_dict(self) -> dict[str, Any]:
        return {"events": self.events, "matched": self.matched, "stored": self.stored, "duplicates": self.duplicates,
                "deleted": self.deleted, "quarantined": self.quarantined, "commits": self.commits,
                "reconnects": self.reconnects, "gaps": self.gaps, "last_event_us": self.last_event_us,
                "seconds": round(time.monotonic() - self.started, 3)}
