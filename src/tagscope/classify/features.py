"""Text features shared by every fast-tier model: hashed word and character n-gram counts.

Why hashing: the features need no vocabulary, so a model file holds only weights, every model
reads the same matrix (posts are vectorised once for all models), and nothing about the
vectoriser can drift between scikit-learn versions. Character n-grams (2-5, inside word
boundaries, like scikit-learn's ``char_wb``) are hashed with numpy over a whole batch at once,
which is ~10x faster than a Python analyser and is what makes >= 20,000 posts/s possible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

WORD_BITS = 19
CHAR_BITS = 20
N_WORD = 1 << WORD_BITS
N_CHAR = 1 << CHAR_BITS
N_FEATURES = N_WORD + N_CHAR
CHAR_NS = (2, 3, 4, 5)

_URL = re.compile(r"https?://[^\s\x00]+|www\.[^\s\x00]+|\[url\]", re.IGNORECASE)
_USER = re.compile(r"@\w+|\[user\]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[#@]?\w+|[^\w\s\x00]", re.UNICODE)

_FNV = np.uint64(0x100000001B3)
_SEED = np.uint64(0xCBF29CE484222325)
_MIX = np.uint64(0xFF51AFD7ED558CCD)


def normalise(texts: list[str]) -> list[str]:
    """Lower-case, map URLs to ``url`` and mentions to ``@user``, collapse whitespace.

    Done on one joined string per batch (one regex pass instead of one per post)."""
    if not texts:
        return []
    big = "\x00".join((t or "").replace("\x00", " ").replace("\x01", " ") for t in texts).lower().replace("&amp;", "&")
    big = _URL.sub(" url ", big)
    big = _USER.sub("@user", big)
    big = _SPACE.sub(" ", big.replace("\x00", "\x01"))
    out = big.split("\x01")
    return [s.strip() for s in out]


def _inverse(p: int) -> int:
    """Inverse of an odd number modulo 2**64 (Newton's iteration)."""
    x = p
    for _ in range(6):
        x = (x * (2 - p * x)) % (1 << 64)
    return x


_QINV = np.uint64(_inverse(int(_FNV)))


class _Batch:
    """One batch of normalised posts as a single array of code points, separated by NUL."""

    def __init__(self, texts: list[str]):
        padded = [" " + t + " " for t in texts]
        self.text = "\x00".join(padded) + "\x00"
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        self.codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        self.doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
        n = len(self.codes)
        # Prefix sums of c_j * Q**j (mod 2**64) give any substring's polynomial hash in O(1).
        self.ppow = np.cumprod(np.full(n + 1, _FNV, dtype=np.uint64)) * _QINV  # P**j
        qpow = np.cumprod(np.full(n, _QINV, dtype=np.uint64)) * _FNV  # Q**j
        self.prefix = np.concatenate([np.zeros(1, np.uint64), np.cumsum(self.codes * qpow, dtype=np.uint64)])

    def substring_hash(self, start: np.ndarray, end: np.ndarray, salt: int) -> np.ndarray:
        h = (self.prefix[end] - self.prefix[start]) * self.ppow[start]
        h = (h + np.uint64(salt)) * _MIX
        h ^= h >> np.uint64(31)
        return h * _FNV


def _column(h: np.ndarray, bits: int) -> np.ndarray:
    return (h >> np.uint64(64 - bits)).astype(np.int64)


def _char_counts(b: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every character n-gram occurrence, columns in [N_WORD, N_FEATURES).

    An n-gram may start and end with the space around a word but contain none (like ``char_wb``)."""
    space = b.codes == 32
    sep = b.codes == 0
    rows, cols = [], []
    for n in CHAR_NS:
        m = len(b.codes) - n + 1
        if m <= 0:
            continue
        h = np.full(m, _SEED ^ np.uint64(n), dtype=np.uint64)
        bad = np.zeros(m, dtype=bool)
        for k in range(n):
            h = (h ^ b.codes[k : k + m]) * _FNV
            bad |= sep[k : k + m]
            if 0 < k < n - 1:
                bad |= space[k : k + m]
        h ^= h >> np.uint64(29)
        h *= _MIX
        ok = ~bad
        rows.append(b.doc[:m][ok])
        cols.append(_column(h[ok], CHAR_BITS) + N_WORD)
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _word_counts(b: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every word unigram and bigram occurrence, columns in [0, N_WORD)."""
    spans = np.fromiter((i for m in _WORD.finditer(b.text) for i in m.span()), dtype=np.int64)
    if not len(spans):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    start, end = spans[0::2], spans[1::2]
    doc = b.doc[start]
    same = doc[:-1] == doc[1:]
    uni = _column(b.substring_hash(start, end, 1), WORD_BITS)
    bi = _column(b.substring_hash(start[:-1][same], end[1:][same], 2), WORD_BITS)
    return np.concatenate([doc, doc[:-1][same]]), np.concatenate([uni, bi])


def counts(texts: list[str]) -> sp.csr_matrix:
    """N-gram counts of the texts: a (len(texts), N_FEATURES) sparse matrix, one entry per feature.

    (Merging repeated features costs a third of the time; it is kept because sublinear tf, which
    needs the counts, scores 1-2 points better than raw occurrences on EDOS B and stance.)"""
    norm = normalise(list(texts))
    batch = _Batch(norm)
    wr, wc = _word_counts(batch)
    cr, cc = _char_counts(batch)
    rows = np.concatenate([wr, cr])
    cols = np.concatenate([wc, cc])
    order = np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(norm)))])
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), cols[order].astype(np.int32), indptr),
                      shape=(len(norm), N_FEATURES))
    m.sum_duplicates()
    return m


def weigh(x: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log count) times idf, each block (words, characters) scaled to unit length.

    Columns whose idf is 0 (not kept at training) drop out. Returns a new matrix."""
    y = x.copy()
    y.data = (1.0 + np.log(y.data)) * idf[y.indices]
    is_char = (y.indices >= N_WORD).astype(np.int64)
    row = np.repeat(np.arange(y.shape[0]), np.diff(y.indptr))
    slot = row * 2 + is_char
    norms = np.sqrt(np.bincount(slot, weights=y.data.astype(np.float64) ** 2, minlength=2 * y.shape[0]))
    norms[norms == 0] = 1.0
    y.data = (y.data / norms[slot]).astype(np.float32)
    return y


@dataclass(frozen=True)
class Blocks:
    """Sublinear tf (1 + log count) split into the word and character blocks, and its squares.

    Shared by every model scoring the same batch: a model's score per block is ``tf @ (idf * w)``
    divided by ``sqrt(tf**2 @ idf**2)``, two sparse-dense products with no per-model copy."""

    words: sp.csr_matrix
    chars: sp.csr_matrix
    words_sq: sp.csr_matrix
    chars_sq: sp.csr_matrix


def blocks(x: sp.csr_matrix) -> Blocks:
    tf = (1.0 + np.log(x.data)).astype(np.float32)
    sq = tf * tf
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    is_word = x.indices < N_WORD
    return Blocks(
        _select(x, is_word, rows, tf), _select(x, ~is_word, rows, tf),
        _select(x, is_word, rows, sq), _select(x, ~is_word, rows, sq),
    )


def _select(m: sp.csr_matrix, keep: np.ndarray, rows: np.ndarray, data: np.ndarray) -> sp.csr_matrix:
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[keep], minlength=m.shape[0]))])
    return sp.csr_matrix((data[keep], m.indices[keep], indptr), shape=m.shape)
