"""count-query without the index: the parsed query evaluated per post, with the index's own analysis.

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

The evaluator (:class:`Evaluate`, picklable) answers per post, a batch at a time: each batch's text
is split as the index splits it, its *distinct* tokens go through the analyzers once (the whitespace
tokenizer and the filters treat every token on its own, so that is analysing every occurrence), and
each leaf becomes a boolean per post (a phrase: a run of positions within one post), combined by the
tree. It runs where the engine runs Python: on Spark's executors through ``mapInArrow``; DuckDB
streams the rows through it in this process. It yields, per batch, the matches per (query, UTC slot
of 1 or 15 minutes: what the index's histogram counts), and the engine sums them per slot
(:meth:`tagscope.engines.base.Engine.map_rows`). The filters that are plain equalities or time bounds
run as the scan's SQL; the author, which needs the handle fold, runs here.
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


_SPLIT_STEMMED = analysis.split_stemmed_analyzer()
_SPLIT_PLAIN = analysis.split_plain_analyzer()
LONG_BYTES = 80  # analysis: tokens of 80 bytes or more are dropped (remove_long), yet take a position


def splits(text: pa.Array) -> pa.Array:
    """Each text as the index's ``text``/``words`` fields receive it (documents.python_jsons, the same
    steps): ASCII texts split by one vectorised regex, the rest NFKC + casefold, then the token
    pattern; tokens joined by spaces."""
    text = pc.fill_null(text, "")
    is_ascii = pc.string_is_ascii(text)
    ascii_split = pc.replace_substring_regex(text, analysis.ASCII_SEPARATORS, " ")
    others = np.flatnonzero(~is_ascii.to_numpy(zero_copy_only=False))
    if not len(others):
        return ascii_split
    full = np.full(len(text), None, dtype=object)
    full[others] = [analysis.split(analysis.normalize(t)) for t in text.take(pa.array(others)).to_pylist()]
    return pc.if_else(is_ascii, ascii_split, pa.array(full, pa.string()))


def _analyse(analyzer: Any, tokens: pa.Array) -> np.ndarray:
    """The term of each distinct token (None: too long, dropped), one analyzer call for them all:
    the whitespace tokenizer and the filters treat every token on its own, so analysing the
    distinct tokens of a batch once is analysing every occurrence."""
    out = np.full(len(tokens), None, dtype=object)
    short = np.flatnonzero(pc.less(pc.binary_length(tokens), LONG_BYTES).to_numpy(zero_copy_only=False))
    words = tokens.take(pa.array(short)).to_pylist()
    terms = list(analyzer.analyze(" ".join(words)))
    if len(terms) != len(words):  # pragma: no cover - a filter that drops or splits a token: one at a time
        terms = [(a[0] if (a := analyzer.analyze(w)) else None) for w in words]
    out[short] = terms
    return out


class _Batch:
    """One batch of posts as the index sees it, each part analysed only when a query first asks.

    Text is held as its tokens in order (``tok``: the distinct-token id at each position, ``row``:
    the post of each position), so a phrase is a run of positions in one post."""

    def __init__(self, batch: pa.RecordBatch):
        self.batch = batch
        self.n = batch.num_rows
        self._tokens: tuple[np.ndarray, np.ndarray, pa.Array] | None = None
        self._stems: dict[str, np.ndarray] | None = None
        self._plain: pa.Array | None = None
        self.leaves: dict[tuple[int, Any], np.ndarray] = {}

    def tokens(self) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        if self._tokens is None:
            lists = pc.split_pattern(splits(self.batch.column("text")), " ")
            flat, row = pc.list_flatten(lists), pc.list_parent_indices(lists)
            real = pc.not_equal(flat, "")  # the ASCII split leaves empty ends; the tokenizer skips them
            enc = pc.dictionary_encode(flat.filter(real))
            self._tokens = (enc.indices.to_numpy(zero_copy_only=False), row.filter(real).to_numpy(zero_copy_only=False),
                            enc.dictionary)
        return self._tokens

    def stem_ids(self, wanted: set[str]) -> dict[str, np.ndarray]:
        """Per wanted term, a boolean over the distinct tokens: which stem to it."""
        if self._stems is None:
            stems = _analyse(_SPLIT_STEMMED, self.tokens()[2])
            self._stems = {t: stems == t for t in wanted}
        return self._stems

    def rows(self, positions: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[self.tokens()[1][positions]] = True
        return mask

    def leaf(self, op: int, value: Any, wanted: set[str]) -> np.ndarray:
        if op == TERM:
            tok, _, _ = self.tokens()
            return self.rows(np.flatnonzero(self.stem_ids(wanted)[value][tok]))
        if op == PHRASE:
            tok, row, _ = self.tokens()
            ids = self.stem_ids(wanted)
            span = len(tok) - len(value) + 1
            if span <= 0:
                return np.zeros(self.n, dtype=bool)
            hit = ids[value[0]][tok[:span]]
            for k, term in enumerate(value[1:], start=1):
                hit &= ids[term][tok[k:k + span]] & (row[k:k + span] == row[:span])
            return self.rows(np.flatnonzero(hit))
        if op == PREFIX:
            tok, _, uniq = self.tokens()
            if self._plain is None:
                self._plain = pa.array(_analyse(_SPLIT_PLAIN, uniq), pa.string())
            starts = pc.fill_null(pc.starts_with(self._plain, value), False).to_numpy(zero_copy_only=False)
            return self.rows(np.flatnonzero(starts[tok]))
        column = "hashtags_norm" if op == TAG else "mentions"
        lists = self.batch.column(column)
        flat, row = pc.list_flatten(lists), pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        if op == MENTION:  # the index folds each mention; fold each distinct one once
            enc = pc.dictionary_encode(flat)
            folded = np.array([m is not None and analysis.fold_handle(m) == value for m in enc.dictionary.to_pylist()],
                              dtype=bool)
            same = folded[enc.indices.to_numpy(zero_copy_only=False)] if len(folded) else np.zeros(0, dtype=bool)
        else:
            same = pc.fill_null(pc.equal(flat, value), False).to_numpy(zero_copy_only=False)
        mask = np.zeros(self.n, dtype=bool)
        mask[row[same]] = True
        return mask


def evaluate(node: tuple[int, Any], b: _Batch, wanted: set[str]) -> np.ndarray:
    """Which posts of B match the compiled query NODE (AND, OR, NOT as boolean clauses)."""
    op, value = node
    if op == NOT:
        return ~evaluate(value, b, wanted)
    if op in (AND, OR):
        parts = [evaluate(c, b, wanted) for c in value]
        return np.logical_and.reduce(parts) if op == AND else np.logical_or.reduce(parts)
    if node not in b.leaves:
        b.leaves[node] = b.leaf(op, value, wanted)
    return b.leaves[node]


def _terms(node: tuple[int, Any]) -> set[str]:
    op, value = node
    if op == TERM:
        return {value}
    if op == PHRASE:
        return set(value)
    if op == NOT:
        return _terms(value)
    if op in (AND, OR):
        return set().union(*(_terms(c) for c in value))
    return set()


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
        self.wanted = set().union(*(_terms(t) for t in trees))
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
        keep = np.ones(batch.num_rows, dtype=bool)
        if self.author is not None:  # the index folds the handle; fold each distinct one once
            enc = pc.dictionary_encode(batch.column("author_handle"))
            same = np.array([h is not None and analysis.fold_handle(h) == self.author for h in enc.dictionary.to_pylist()],
                            dtype=bool)
            codes = pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False)
            keep = pc.is_valid(enc.indices).to_numpy(zero_copy_only=False) & (same[codes] if len(same) else False)
        if not keep.any():
            return pa.RecordBatch.from_pylist([], schema=OUT)
        batch = batch.filter(pa.array(keep)) if not keep.all() else batch
        b = _Batch(batch)
        secs = _seconds(batch.column("created_at"))
        slots = secs - np.mod(secs, self.slot)
        qs, ss = [], []
        for q, tree in enumerate(self.trees):
            hit = slots[evaluate(tree, b, self.wanted)]
            qs.append(np.full(len(hit), q, dtype=np.int64))
            ss.append(hit)
        pairs = np.stack([np.concatenate(qs), np.concatenate(ss)])
        if not pairs.shape[1]:
            return pa.RecordBatch.from_pylist([], schema=OUT)
        (q_, s_), n = np.unique(pairs, axis=1, return_counts=True)
        return pa.RecordBatch.from_arrays([pa.array(q_), pa.array(s_), pa.array(n.astype(np.int64))], schema=OUT)


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
