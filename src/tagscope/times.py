"""One way to read a time a user or a file gives: ISO 8601 to a naive UTC datetime.

Naive UTC is the store's time type (a plain TIMESTAMP buckets much faster than TIMESTAMPTZ in DuckDB).
A bare date is midnight; a trailing Z or an offset is honoured; a value without one is local time in
TZ when a zone is given, else UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

HINT = "write it like 2014-05-24 or 2014-05-24T18:00 (ISO 8601; Z or an offset allowed)"


def to_utc(value: str | datetime | date | None, tz: tzinfo | None = None) -> datetime | None:
    """VALUE as a naive UTC datetime (None stays None); ValueError naming the form otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"cannot read the time {value!r}: {HINT}") from exc
    if dt.tzinfo is None:
        if tz is None:
            return dt
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC).replace(tzinfo=None)
