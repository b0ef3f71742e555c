"""Hand-made posts for the search tests (v1.1 statuses written in tmp_path by the tests)."""

from __future__ import annotations

from typing import Any

from tweetfactory import tweet


def post(id_: str, text: str, *, user: str = "alice", day: int = 24, hour: int = 10, tags: list[str] | None = None,
         mentions: list[str] | None = None, lang: str = "en", **extra: Any) -> dict[str, Any]:
    """A v1.1 status with its entities filled from the arguments."""
    st = tweet(id_, text, user=user, created=f"Sat May {day:02d} {hour:02d}:00:00 +0000 2014", tags=tags, **extra)
    st["entities"]["user_mentions"] = [{"screen_name": m, "id_str": f"u-{m}"} for m in mentions or []]
    st["lang"] = lang
    return st


CORPUS = [
    post("1", "He called himself the supreme gentleman #YesAllWomen", tags=["YesAllWomen"]),
    post("2", "A gentleman is not supreme; women deserve safety #YesAllWomen", user="bob", tags=["YesAllWomen"], day=25),
    post("3", "Feminists and feminism: read this thread #NotAllMen", user="carol", tags=["NotAllMen"], day=25, hour=12),
    post("4", "Not all men, they say. @alice is right", user="dave", mentions=["alice"], day=26),
    post("5", "Las mujeres merecen seguridad. Niños y niñas #YesAllWomen", user="eva", tags=["YesAllWomen"], lang="es", day=26),
    post("6", "Feminine mystique 😡 book club", user="bob", day=27),
]
