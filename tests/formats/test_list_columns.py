"""The vectorised list rules give, row for row, what post.hashtag_fields / url_fields / unique give."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tagscope.formats import list_columns
from tagscope.post import hashtag_fields, unique, url_fields

_item = st.one_of(st.none(), st.text(alphabet=st.sampled_from("aAß#＃İﬁ\u200b\u0301 :/.@w1"), max_size=7))
_rows = st.lists(st.one_of(st.none(), st.lists(_item, max_size=5)), max_size=12)


def _items(rows: list[list[str | None] | None], chunks: int = 1) -> list_columns.Items:
    """ROWS as a column of one chunk (chunks=1), two chunks (2), or one chunk sliced out of a longer
    array (0: as a table column can be)."""
    arr = pa.array(rows, pa.list_(pa.string()))
    if chunks == 0:
        longer = pa.array([["x", "y"], None, *rows], pa.list_(pa.string()))
        return list_columns.Items.of(pa.chunked_array([longer[2:]], arr.type))
    if chunks == 1:
        return list_columns.Items.of(pa.chunked_array([arr], arr.type))
    cut = len(rows) // 2
    return list_columns.Items.of(pa.chunked_array([arr[:cut], arr[cut:]], arr.type))


@settings(max_examples=300, deadline=None)
@given(rows=_rows, chunks=st.integers(0, 2))
def test_hashtags_and_urls_match_the_python_rules(rows: list[list[str | None] | None], chunks: int) -> None:
    tags, norm = list_columns.hashtags(_items(rows, chunks))
    urls, domains = list_columns.urls(_items(rows, chunks))
    for i, row in enumerate(rows):
        present = [x for x in row or [] if x is not None]
        want = hashtag_fields(present)
        assert tags[i].as_py() == want["hashtags"]
        assert norm[i].as_py() == want["hashtags_norm"]
        want = url_fields(present)
        assert urls[i].as_py() == want["urls"]
        assert domains[i].as_py() == want["domains"]


@settings(max_examples=300, deadline=None)
@given(rows=_rows, heads=st.data())
def test_prepend_then_unique_puts_the_head_first(rows: list[list[str | None] | None], heads: st.DataObject) -> None:
    firsts = heads.draw(st.lists(_item, min_size=len(rows), max_size=len(rows)))
    items = _items(rows)
    got = items.keep(items.values.is_valid()).prepend(pa.array(firsts, pa.string())).unique().lists()
    for i, row in enumerate(rows):
        rest = [x for x in row or [] if x is not None]
        assert got[i].as_py() == unique(([firsts[i]] if firsts[i] is not None else []) + rest)


def test_rows_without_items_get_empty_lists() -> None:
    tags, norm = list_columns.hashtags(_items([None, [], [None, "#", ""]]))
    assert tags.to_pylist() == [[], [], []] and norm.null_count == 0
