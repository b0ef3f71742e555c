"""Index documents from posts: one JSON string per post, built a whole batch at a time.

Python building each document (split, timestamps, dict, orjson, base64) cost ~12 µs a post, as much
as tantivy spends indexing it. :func:`jsons` builds them in DuckDB instead (C++, without the GIL,
~3-4 µs a post) for every "plain" post: ASCII text, handles of ``[A-Za-z0-9_.:@-]`` without a
leading ``@``. For those the analysis reduces to what SQL does exactly (split at every byte but
``[A-Za-z0-9_]``, ``lower``). The rest (non-ASCII text needs NFKC + casefold and the Unicode
tokenizer; odd handles need ``fold_handle``) go through :func:`python_jsons`, the reference; a test
holds both paths' documents equal.

A document has every field key, an absent value being ``[]`` (tantivy rejects ``null``, and an empty
list adds no value): the same index contents as leaving the key out.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..store import sql
from . import analysis

# Handles folded by lower() alone: fold_handle strips whitespace and a leading '@' and applies NFKC +
# casefold, all the identity (up to ASCII case) on these characters. An '@' inside stays (Mastodon's
# user@instance: a fifth of the posts in a simulated four-platform campaign).
_PLAIN_HANDLE = "[A-Za-z0-9_.:-][A-Za-z0-9_.:@-]*"

_SQL = rf"""
WITH b AS (
    SELECT *,
        is_ascii
        AND (author_handle IS NULL OR author_handle = '' OR regexp_full_match(author_handle, '{_PLAIN_HANDLE}'))
        AND coalesce(list_bool_and(list_transform(mentions, m -> regexp_full_match(m, '{_PLAIN_HANDLE}'))), true)
        AND (created_at IS NULL OR created_at BETWEEN TIMESTAMP '1000-01-01' AND TIMESTAMP '9999-12-31 23:59:59')
        AS plain
    FROM batch
)
SELECT CASE WHEN plain THEN to_json({{
    'text': split,
    'words': split,
    'tags': coalesce(hashtags_norm, []),
    'mentions': coalesce(list_transform(mentions, m -> lower(m)), []),
    'chunk': $chunk,
    'platform': platform,
    'doc': to_base64(encode(to_json([platform, id, author_handle, coalesce(text, '')]))),
    'author': CASE WHEN coalesce(author_handle, '') = '' THEN [] ELSE [lower(author_handle)] END,
    'lang': CASE WHEN coalesce(lang, '') = '' THEN [] ELSE [lang] END,
    'kind': CASE WHEN coalesce(kind, '') = '' THEN [] ELSE [kind] END,
    'created_at': CASE WHEN created_at IS NULL THEN [] ELSE [strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ')] END
}}) END AS json
FROM b
"""

def jsons(batch: pa.RecordBatch, file: str, chunk: int = 0) -> list[str]:
    """One JSON document per post of BATCH (posts file FILE, chunk CHUNK), in order."""
    if batch.num_rows == 0:
        return []
    text = pc.fill_null(batch.column("text"), "")
    split = ascii_split(text)
    batch = pa.RecordBatch.from_arrays(
        [*batch.columns, split, pc.string_is_ascii(text)], [*batch.schema.names, "split", "is_ascii"])
    out = sql.over_batch(_SQL, "batch", batch, {"chunk": f"{file}:{chunk}"}).column("json")
    docs: list[Any] = out.to_pylist()
    rest = pc.indices_nonzero(pc.is_null(out)).to_pylist()
    if rest:
        for i, doc in zip(rest, python_jsons(batch.take(pa.array(rest)), file, chunk), strict=True):
            docs[i] = doc
    return docs


# Every byte but [A-Za-z0-9_] becomes a space: on ASCII text, the tokens TOKEN_PATTERN finds,
# space-separated (repeated spaces are no tokens to the whitespace tokenizer).
_SEPARATE = bytes(b if chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") else 0x20 for b in range(256))


def ascii_split(text: pa.Array) -> pa.Array:
    """TEXT (no nulls) with every non-word byte turned into a space: one ``bytes.translate`` over the
    whole column (~0.05 µs a post, where a regex replace costs 2-4 µs). Right only for ASCII rows
    (a multi-byte character becomes spaces): other rows must be split otherwise."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) == 0 or text.null_count:
        raise ValueError("ascii_split needs a non-empty column without nulls")
    _, offsets, data = text.buffers()
    # Offsets keep pointing at the same bytes: translate the data buffer as it is, slices included.
    moved = pa.py_buffer(data.to_pybytes().translate(_SEPARATE)) if data is not None else None
    return pa.Array.from_buffers(text.type, len(text), [None, offsets, moved], offset=text.offset)


def python_jsons(batch: pa.RecordBatch, file: str, chunk: int = 0) -> list[str]:
    """The reference: one JSON document per post, built row by row in Python (any text, any handle).

    ASCII texts are split by one vectorised regex; the rest by :func:`analysis.split` after NFKC +
    casefold (for ASCII both are the identity up to case, which the analyzer lowers)."""
    text = pc.fill_null(batch.column("text"), "")
    ascii_split = pc.replace_substring_regex(text, analysis.ASCII_SEPARATORS, " ").to_pylist()
    is_ascii = pc.string_is_ascii(text).to_pylist()
    texts = text.to_pylist()
    created = pc.strftime(batch.column("created_at"), format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
    cols = [batch.column(c).to_pylist() for c in ("platform", "id", "author_handle", "lang", "kind", "hashtags_norm", "mentions")]
    part = f"{file}:{chunk}"
    out = []
    for t, split, asc, when, platform, pid, handle, lang, kind, tags, mentions in zip(
        texts, ascii_split, is_ascii, created, *cols, strict=True
    ):
        if not asc:
            split = analysis.split(analysis.normalize(t))
        doc: dict[str, Any] = {
            "text": split,
            "words": split,
            "tags": tags or [],
            "mentions": [analysis.fold_handle(m) for m in mentions] if mentions else [],
            "chunk": part,
            "platform": platform,
            "doc": base64.b64encode(orjson.dumps([platform, pid, handle, t])).decode(),
        }
        if handle:
            doc["author"] = analysis.fold_handle(handle)
        if lang:
            doc["lang"] = lang
        if kind:
            doc["kind"] = kind
        if when is not None:
            doc["created_at"] = when
        out.append(orjson.dumps(doc).decode())
    return out
