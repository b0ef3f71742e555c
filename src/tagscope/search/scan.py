"""count-query without the index: the parsed query evaluated row by row, with the index's own analysis.

The index answers ``count-query`` on one machine. A store on a cluster has no index (building one over
billions of posts is what a cluster run must not wait for), so this module answers the same question
by reading ``posts`` through an engine: every row is analysed exactly as :mod:`.index` indexes it (the
same split, the same tantivy analyzers, so NFKC, casefold, the token pattern, ASCII folding and the
English stemmer; the same folds of hashtags and handles) and the query tree is evaluated with the
index's semantics:

- a word is its stemmed term; a word or phrase of several terms matches them at consecutive positions
  (a token dropped as too long still takes a position, as in the index);
- a prefix matches an unstemmed term starting with it; ``#tag`` a ``hashtags_norm`` entry;
  ``@handle`` a folded mention;
- AND, OR and NOT are boolean (the index's must, should and must-not clauses mean the same).

The evaluator (:class:`Evaluate`, picklable) runs where the engine runs Python, on Spark's executors
through ``mapInArrow``; DuckDB streams the rows through it in this process. It yields, per batch, the
matches per (query, UTC slot of 1 or 15 minutes: what the index's histogram counts), and the engine
sums them per slot (:meth:`tagscope.engines.base.Engine.map_rows`). The filters that are plain
equalities or time bounds run as the scan's SQL; the author, which needs the handle fold, runs here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engines.filters import Filters
from ..post import fold_tag
from . import analysis
from .query import And, Mention, Node, Not, Or, Phrase, Prefix, QuerySyntaxError, Tag, Word

# Compiled nodes are tuples (picklable, fast to dispatch): (op, value).
TERM, PHRASE, PREFIX, TAG, MENTION, NOT, AND, OR = range(8)
TEXT_OPS = (TERM, PHRASE, PREFIX)

OUT = pa.schema([("q", pa.int64()), ("slot", pa.int64()), ("n", pa.int64())])
# The engine's sum of the evaluator's partial counts (DuckDB's dialect; transpiled for Spark).
SUM_SQL = "SELECT q, slot, CAST(sum(n) AS BIGINT) AS n FROM mapped GROUP BY q, slot"


def leaf(node: Word | Phrase | Prefix | Tag | Mention) -> tuple[int, Any]:
    """A leaf as the index looks it up: (op, analysed value). The one place a leaf is analysed and
    refused, so the index's query builder and this evaluator cannot drift apart."""
    if isinstance(node, Word | Phrase):
        toks = analysis.terms(node.text)
        if not toks:
            what = "word" if isinstance(node, Word) else "phrase"
            raise QuerySyntaxError(f"{what} {node.text!r} has no searchable characters", node.column)
        return (TERM, toks[0]) if len(toks) == 1 else (PHRASE, tuple(toks))
    if isinstance(node, Prefix):
        toks = analysis.plain_terms(node.text)
        if len(toks) != 1:
            raise QuerySyntaxError(f"prefix {node.text + '*'!r} must be one word", node.column)
        return PREFIX, toks[0]
    if isinstance(node, Tag):
        tag = fold_tag(node.text)
        if not tag:
            raise QuerySyntaxError("'#' needs a hashtag after it", node.column)
        return TAG, tag
    if isinstance(node, Mention):
        return MENTION, analysis.fold_handle(node.text)
    raise TypeError(node)  # pragma: no cover


def compile_tree(node: Node) -> tuple[int, Any]:
    """The query tree as nested (op, value) tuples; raises the index's QuerySyntaxError for a bad leaf."""
    if isinstance(node, Not):
        return NOT, compile_tree(node.child)
    if isinstance(node, And):
        return AND, tuple(compile_tree(c) for c in node.children)
    if isinstance(node, Or):
        return OR, tuple(compile_tree(c) for c in node.children)
    return leaf(node)


def _ops(node: tuple[int, Any]) -> set[int]:
    op, value = node
    if op == NOT:
        return {op, *_ops(value)}
    if op in (AND, OR):
        return {op}.union(*(_ops(c) for c in value))
    return {op}


class _Doc:
    """One post as the index sees it, each part analysed only when a query first asks for it."""

    __slots__ = ("_mentions", "_plain", "_positions", "_stem_set", "_stems", "raw_mentions", "split", "tags")

    def __init__(self, split: str | None, tags: list[str] | None, mentions: list[str] | None):
        self.split = split
        self.tags = tags or ()
        self.raw_mentions = mentions
        self._stems: list[str] | None = None
        self._stem_set: set[str] | None = None
        self._positions: list[str | None] | None = None
        self._plain: list[str] | None = None
        self._mentions: set[str] | None = None

    def stems(self) -> list[str]:
        if self._stems is None:
            self._stems = list(_SPLIT_STEMMED.analyze(self.split or ""))
        return self._stems

    def stem_set(self) -> set[str]:
        if self._stem_set is None:
            self._stem_set = set(self.stems())
        return self._stem_set

    def positions(self) -> list[str | None]:
        """The stemmed term at each token position (None where a too-long token was dropped)."""
        if self._positions is None:
            stems, raw = self.stems(), (self.split or "").split()
            if len(stems) == len(raw):
                self._positions = list(stems)
            else:  # the analyzer dropped a token of >= 80 bytes: it still took its position
                self._positions = [(a[0] if (a := _SPLIT_STEMMED.analyze(tok)) else None) for tok in raw]
        return self._positions

    def has_phrase(self, terms: tuple[str, ...]) -> bool:
        if not all(t in self.stem_set() for t in terms):
            return False
        pos, n = self.positions(), len(terms)
        first = terms[0]
        return any(pos[i] == first and tuple(pos[i:i + n]) == terms for i in range(len(pos) - n + 1))

    def plain(self) -> list[str]:
        if self._plain is None:
            self._plain = list(_SPLIT_PLAIN.analyze(self.split or ""))
        return self._plain

    def mentions(self) -> set[str]:
        if self._mentions is None:
            self._mentions = {analysis.fold_handle(m) for m in self.raw_mentions or () if m is not None}
        return self._mentions


def matches(node: tuple[int, Any], doc: _Doc) -> bool:
    """Whether DOC matches the compiled query NODE."""
    op, value = node
    if op == TERM:
        return value in doc.stem_set()
    if op == PHRASE:
        return doc.has_phrase(value)
    if op == PREFIX:
        return any(w.startswith(value) for w in doc.plain())
    if op == TAG:
        return value in doc.tags
    if op == MENTION:
        return value in doc.mentions()
    if op == NOT:
        return not matches(value, doc)
    if op == AND:
        return all(matches(c, doc) for c in value)
    return any(matches(c, doc) for c in value)


_SPLIT_STEMMED = analysis.split_stemmed_analyzer()
_SPLIT_PLAIN = analysis.split_plain_analyzer()


def splits(text: pa.Array) -> list[str]:
    """Each text as the index's ``text``/``words`` fields hold it (index._doc_jsons, the same steps):
    ASCII texts split by one vectorised regex, the rest NFKC + casefold, then the token pattern."""
    text = pc.fill_null(text, "")
    ascii_split = pc.replace_substring_regex(text, analysis.ASCII_SEPARATORS, " ").to_pylist()
    is_ascii = pc.string_is_ascii(text).to_pylist()
    return [s if a else analysis.split(analysis.normalize(t))
            for t, s, a in zip(text.to_pylist(), ascii_split, is_ascii, strict=True)]


def _seconds(col: pa.Array) -> np.ndarray:
    """A timestamp column (naive UTC from DuckDB, UTC instants from Spark) as whole epoch seconds,
    floored as the index stores them."""
    micros = col.cast(pa.timestamp("us", col.type.tz)).cast(pa.int64())
    return np.floor_divide(micros.to_numpy(zero_copy_only=False), 1_000_000)


class Evaluate:
    """The mapInArrow function: batches of posts -> partial counts (q, slot, n) of the matches.

    Picklable (compiled trees and strings only); tantivy's analyzers are built where it runs."""

    def __init__(self, trees: list[tuple[int, Any]], slot_seconds: int, author: str | None):
        self.trees = trees
        self.slot = slot_seconds
        self.author = author
        ops = set().union(*(_ops(t) for t in trees))
        self.text = bool(ops & set(TEXT_OPS))
        self.tags = TAG in ops
        self.mentions = MENTION in ops

    def columns(self) -> list[str]:
        """The posts columns the evaluator reads (the scan reads no others)."""
        cols = ["created_at"]
        cols += ["text"] * self.text + ["hashtags_norm"] * self.tags + ["mentions"] * self.mentions
        return cols + ["author_handle"] * (self.author is not None)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            out = self.batch(batch)
            if out.num_rows:
                yield out

    def batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        n = batch.num_rows
        keep = np.ones(n, dtype=bool)
        if self.author is not None:
            handles = batch.column("author_handle").to_pylist()
            keep &= np.array([h is not None and analysis.fold_handle(h) == self.author for h in handles], dtype=bool)
        rows = np.flatnonzero(keep)
        splits_ = splits(batch.column("text")) if self.text and len(rows) else None
        tags = batch.column("hashtags_norm").to_pylist() if self.tags else None
        mentions = batch.column("mentions").to_pylist() if self.mentions else None
        hit_q: list[int] = []
        hit_row: list[int] = []
        for i in rows.tolist():
            doc = _Doc(splits_[i] if splits_ else None, tags[i] if tags else None, mentions[i] if mentions else None)
            for q, tree in enumerate(self.trees):
                if matches(tree, doc):
                    hit_q.append(q)
                    hit_row.append(i)
        if not hit_q:
            return pa.RecordBatch.from_pylist([], schema=OUT)
        secs = _seconds(batch.column("created_at"))[np.asarray(hit_row)]
        slots = secs - np.mod(secs, self.slot)
        pairs, counts = np.unique(np.stack([np.asarray(hit_q, dtype=np.int64), slots]), axis=1, return_counts=True)
        return pa.RecordBatch.from_arrays([pa.array(pairs[0]), pa.array(pairs[1]), pa.array(counts.astype(np.int64))],
                                          schema=OUT)


def scan_sql(columns: list[str], f: Filters) -> tuple[str, list[Any]]:
    """The posts the index could count under F (exact equalities and time bounds), as one statement.

    The index keeps times to the second (``t_s``, floored) and counts ``since <= t_s < until``; for
    whole seconds ``t_s >= x`` is ``t >= ceil(x)`` and ``t_s < x`` is ``t < ceil(x)``, so the bounds
    are rounded up to the second and compared with the stored time."""
    conds, params = ["created_at IS NOT NULL"], []  # the index does not count a post without a time
    if f.since is not None:
        conds.append("created_at >= ?")
        params.append(_ceil_second(f.since))
    if f.until is not None:
        conds.append("created_at < ?")
        params.append(_ceil_second(f.until))
    if f.tag:
        conds.append("list_contains(hashtags_norm, ?)")
        params.append(fold_tag(f.tag))
    for name in ("lang", "platform", "kind"):
        value = getattr(f, name)
        if value:
            conds.append(f"{name} = ?")
            params.append(value)
    if f.no_reposts:
        conds.append("(kind IS NULL OR kind <> 'repost')")  # the index drops kind 'repost' only
    return f"SELECT {', '.join(columns)} FROM posts WHERE " + " AND ".join(conds), params


def _ceil_second(t: datetime) -> datetime:
    return t if t.microsecond == 0 else t.replace(microsecond=0) + timedelta(seconds=1)


def slot_counts(store: Any, engine: str, trees: list[Node], f: Filters, every: str
                ) -> tuple[dict[tuple[int, datetime], int], list[tuple[str, list[Any]]]]:
    """Matches of each query per UTC slot (1 minute, or 15 for hour buckets and up, as the index
    counts them), counted by ENGINE; and the statements it ran."""
    from .. import engines
    from ..engines.plan import Plan

    ev = Evaluate([compile_tree(t) for t in trees], 60 if every == "minute" else 900,
                  analysis.fold_handle(f.author) if f.author else None)
    sql, params = scan_sql(ev.columns(), f)
    eng = engines.engine_for(store, engine)
    table, ran = eng.map_rows(Plan(sql, params, scan=True), ev, OUT, SUM_SQL)
    epoch = datetime(1970, 1, 1)
    got = {(q, epoch + timedelta(seconds=slot)): n
           for q, slot, n in zip(*(table.column(c).to_pylist() for c in ("q", "slot", "n")), strict=True)}
    return got, ran
