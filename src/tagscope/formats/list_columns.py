"""The post's list columns (hashtags, mentions, URLs, domains) finished in Arrow for the SQL mappings.

DuckDB's list lambdas cost more than the rest of the v1.1 mapping together (~0.37 of ~1 CPU-s per
block of 100k statuses, measured): here the same rules (``post.hashtag_fields``, ``post.url_fields``,
``post.unique``) run as a few vectorised passes over all of a block's list items at once. ``fold_tag``
and ``domain_of`` themselves are applied in Python, once per distinct value of the block, so they are
the very functions the record-by-record parser uses, not a restatement of them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..post import domain_of, fold_tag

_LIST = pa.list_(pa.string())


class Items:
    """The items of a list column, flattened: each item's value and the row it belongs to.

    Items stay in row order, and in list order within a row, through every step."""

    def __init__(self, rows: int, values: pa.Array, parents: np.ndarray):
        self.rows, self.values, self.parents = rows, values, parents

    @classmethod
    def of(cls, lists: pa.Array | pa.ChunkedArray) -> Items:
        if isinstance(lists, pa.ChunkedArray):
            lists = lists.combine_chunks() if lists.num_chunks != 1 else lists.chunk(0)
        values = pc.list_flatten(lists).cast(pa.string())
        parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
        return cls(len(lists), values, parents)

    def keep(self, mask: pa.Array | np.ndarray) -> Items:
        mask = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False) if isinstance(mask, pa.Array) else mask)
        if mask.all():
            return self
        return Items(self.rows, self.values.filter(pa.array(mask)), self.parents[mask])

    def truthy(self) -> Items:
        """Items that are neither null nor empty (Python's ``if x``)."""
        return self.keep(pc.greater(pc.utf8_length(self.values), 0))

    def map(self, fn: Callable[[str], str | None]) -> Items:
        """FN applied to each distinct value once."""
        if not len(self.values):
            return self
        enc = self.values.dictionary_encode()
        mapped = pa.array([fn(v) for v in enc.dictionary.to_pylist()], pa.string())
        return Items(self.rows, mapped.take(enc.indices), self.parents)

    def unique(self) -> Items:
        """The first of equal values within each row (``post.unique``)."""
        if len(self.values) < 2:
            return self
        counts = np.bincount(self.parents, minlength=self.rows)
        if counts.max() < 2:
            return self
        codes = self.values.dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
        key = self.parents * (int(codes.max()) + 1) + codes
        _, first = np.unique(key, return_index=True)
        mask = np.zeros(len(key), bool)
        mask[first] = True
        return self.keep(mask)

    def prepend(self, heads: pa.Array | pa.ChunkedArray) -> Items:
        """HEADS (one value or null per row) put first in their rows' lists."""
        if isinstance(heads, pa.ChunkedArray):
            heads = heads.combine_chunks()
        rows = np.flatnonzero(heads.is_valid().to_numpy(zero_copy_only=False))
        if not len(rows):
            return self
        parents = np.concatenate([rows, self.parents])
        order = np.argsort(parents, kind="stable")  # heads come first in the concatenation: first in a row
        values = pa.concat_arrays([heads.take(pa.array(rows)).cast(pa.string()), self.values])
        return Items(self.rows, values.take(pa.array(order)), parents[order])

    def lists(self) -> pa.Array:
        """The items as a list column again (a row without items: an empty list, never null)."""
        offsets = np.zeros(self.rows + 1, np.int32)
        np.cumsum(np.bincount(self.parents, minlength=self.rows), out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets), self.values, type=_LIST)


def hashtags(tags: Items) -> tuple[pa.Array, pa.Array]:
    """``hashtags`` and ``hashtags_norm`` from the tags as written (nulls allowed)."""
    written = Items(tags.rows, pc.utf8_ltrim(tags.values, characters="#＃"), tags.parents).truthy().unique()
    return written.lists(), written.map(fold_tag).unique().lists()


def urls(links: Items) -> tuple[pa.Array, pa.Array]:
    """``urls`` and ``domains`` from the expanded URLs (nulls and empty strings allowed)."""
    clean = links.truthy().unique()
    return clean.lists(), clean.map(domain_of).truthy().unique().lists()


READ_AS = ("tags0", "mentions0", "rt_head", "urls0")


def post_lists(table: pa.Table) -> pa.Table:
    """TABLE with the post's five list columns in place of the lists as read: ``tags0`` (hashtags as
    written), ``mentions0`` (handles), ``rt_head`` (the reposted author, put first in the mentions,
    or null) and ``urls0`` (expanded URLs); nulls allowed in all of them."""
    tags, tags_norm = hashtags(Items.of(table.column("tags0")))
    mentions = Items.of(table.column("mentions0"))
    mentions = mentions.keep(mentions.values.is_valid()).prepend(table.column("rt_head")).unique()
    links, domains = urls(Items.of(table.column("urls0")))
    table = table.drop_columns(list(READ_AS))
    for name, column in (("hashtags", tags), ("hashtags_norm", tags_norm), ("mentions", mentions.lists()),
                         ("urls", links), ("domains", domains)):
        table = table.append_column(name, column)
    return table
