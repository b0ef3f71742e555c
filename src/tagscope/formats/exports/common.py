"""What the item mappers share: the Skip decision and lenient readers of the platforms' values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..base import ParseError

_EPOCH = datetime(1970, 1, 1)


class Skip(Exception):
    """An item that is no post to store: counted as skipped with this reason, never silently dropped."""


def unix_time(value: Any, what: str) -> datetime:
    """Seconds since the epoch (an int, a float or a numeric string: all are found) as naive UTC."""
    try:
        seconds = int(value) if value.__class__ is int else int(float(value))
        return _EPOCH + timedelta(seconds=seconds)
    except (TypeError, ValueError, OverflowError):
        raise ParseError(f"missing {what}" if value in (None, "") else f"bad {what}: {value!r}") from None


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def bool_of(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
