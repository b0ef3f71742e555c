"""Benchmark full-text search at scale against a DuckDB ILIKE scan of the same posts, in the same run.

Builds a store of N synthetic posts (Zipf vocabulary of pseudo-words plus planted real words and
phrases at known rates, a 30-day campaign, hashtags, mentions, reposts), written straight as posts
Parquet files through the store's commit (the ingest pipeline is not what is measured here). Then:

- index build time and size (``tagscope reindex``'s code path);
- p50/p95 latency of a fixed query set, top 20 with the exact total, through the public API
  (``tagscope.search.search``), and the same questions as DuckDB ``ILIKE`` scans (count + top 20);
  the ratio ILIKE / index is printed per query;
- incremental update time for 100k new posts (one new posts file);
- optionally (``--fts``) DuckDB's fts extension: index build and query time on the same posts.

Run:  nice .venv/bin/python bench/bench_search.py --posts 1000000 --out /tmp/bench-search
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tagscope.post import POST_SCHEMA
from tagscope.search import index as search_index
from tagscope.search import search
from tagscope.store import Store

START = datetime(2014, 5, 24)
TAGS = ["yesallwomen", "notallmen", "yesallwomen", "yesallwomen", "everydaysexism", "metoo", "feminism", "gamergate"]
# (words, share of posts): planted so queries have known, varied selectivity.
PLANTED = [
    ("women", 0.10), ("every woman i know", 0.02), ("supreme gentleman", 0.005), ("feminism", 0.03),
    ("feminists", 0.02), ("harassment", 0.01), ("misandry", 0.0002), ("safety", 0.04), ("not all men", 0.01),
]

QUERIES: list[tuple[str, dict[str, Any], str]] = [
    # (query, filters, equivalent SQL predicate over posts)
    ("women", {}, "text ILIKE '%women%'"),
    ("misandry", {}, "text ILIKE '%misandry%'"),
    ('"supreme gentleman"', {}, "text ILIKE '%supreme gentleman%'"),
    ('"every woman i know"', {}, "text ILIKE '%every woman i know%'"),
    ("#notallmen", {}, "list_contains(hashtags_norm, 'notallmen')"),
    ("femin*", {}, "regexp_matches(text, '(?i)\\bfemin')"),
    ("harassment OR misandry", {}, "(text ILIKE '%harassment%' OR text ILIKE '%misandry%')"),
    ("women safety", {}, "text ILIKE '%women%' AND text ILIKE '%safety%'"),
    ("women", {"since": "2014-05-28", "until": "2014-05-29"},
     "text ILIKE '%women%' AND created_at >= '2014-05-28' AND created_at < '2014-05-29'"),
    ('"not all men"', {"tag": "yesallwomen"},
     "text ILIKE '%not all men%' AND list_contains(hashtags_norm, 'yesallwomen')"),
    ("women", {"no_reposts": True}, "text ILIKE '%women%' AND kind <> 'repost'"),
]


def vocabulary(rng: np.random.Generator, n: int = 30_000) -> np.ndarray:
    sy = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < n:
        k = int(rng.integers(2, 5))
        words.add("".join(sy[i] for i in rng.integers(0, len(sy), k)))
    return np.array(sorted(words), dtype=object)


def make_posts(rng: np.random.Generator, vocab: np.ndarray, first_id: int, n: int) -> pa.Table:
    """N synthetic posts as a posts table (sorted by time, as the store writes them)."""
    lengths = rng.integers(6, 26, n)
    ranks = np.minimum(rng.zipf(1.15, int(lengths.sum())) - 1, len(vocab) - 1)
    words = vocab[ranks]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    texts = [" ".join(words[bounds[i]:bounds[i + 1]]) for i in range(n)]
    for phrase, share in PLANTED:
        for i in np.flatnonzero(rng.random(n) < share):
            texts[i] = texts[i] + " " + phrase if rng.random() < 0.5 else phrase + " " + texts[i]
    tag_idx = rng.integers(0, len(TAGS), n)
    has_tag = rng.random(n) < 0.8
    tags = [[TAGS[t]] if h else [] for t, h in zip(tag_idx, has_tag, strict=True)]
    texts = [t + " #" + tg[0] if tg else t for t, tg in zip(texts, tags, strict=True)]
    seconds = np.sort(rng.exponential(6 * 86_400, n).clip(0, 30 * 86_400 - 1))
    created = [START + timedelta(seconds=float(s)) for s in seconds]
    authors = rng.zipf(1.3, n) % 200_000
    kinds = np.array(["original", "repost", "reply", "quote"], dtype=object)[
        np.searchsorted([0.30, 0.83, 0.95, 1.0], rng.random(n))]
    langs = np.array(["en", "es", "fr", "und"], dtype=object)[np.searchsorted([0.85, 0.93, 0.97, 1.0], rng.random(n))]
    ids = np.arange(first_id, first_id + n)
    cols: dict[str, Any] = {
        "platform": ["twitter"] * n,
        "id": [str(i) for i in ids],
        "author_id": [f"u{a}" for a in authors],
        "author_handle": [f"user{a}" for a in authors],
        "created_at": created,
        "text": texts,
        "lang": langs.tolist(),
        "hashtags": tags,
        "hashtags_norm": tags,
        "mentions": [[f"user{a}"] if k == "reply" else [] for a, k in zip(authors[::-1], kinds, strict=True)],
        "kind": kinds.tolist(),
        "source_format": ["bench"] * n,
    }
    arrays = [pa.array(cols.get(f.name, [None] * n), f.type) for f in POST_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=POST_SCHEMA)


def add_posts_file(store: Store, table: pa.Table, name: str) -> None:
    with store.writer():
        pq.write_table(table, store.path / "posts" / ("." + name), compression="zstd", row_group_size=256_000)
        store.commit({"posts": ([name], [])})


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--out", default="/tmp/bench-search")
    ap.add_argument("--file-posts", type=int, default=1_000_000, help="posts per Parquet file")
    ap.add_argument("--update", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=30, help="runs per query for the index")
    ap.add_argument("--scan-reps", type=int, default=3, help="runs per query for the ILIKE scan (0: none)")
    ap.add_argument("--sort", default="relevance", choices=["relevance", "time", "newest"], help="search's sort")
    ap.add_argument("--fts", action="store_true", help="also build DuckDB's fts index and time it")
    ap.add_argument("--reuse", action="store_true", help="reuse a store built by an earlier run")
    args = ap.parse_args()
    out = Path(args.out)
    rng = np.random.default_rng(2014)
    vocab = vocabulary(rng)

    if not args.reuse:
        shutil.rmtree(out, ignore_errors=True)
        st = Store(out, derived=False)
        t0 = time.perf_counter()
        for i, start in enumerate(range(0, args.posts, args.file_posts)):
            n = min(args.file_posts, args.posts - start)
            add_posts_file(st, make_posts(rng, vocab, start, n), f"part-bench-{i:04d}.parquet")
        print(f"generated {args.posts:,} posts in {time.perf_counter() - t0:.1f} s")
        st.close()
    st = Store(out)
    posts_bytes = folder_bytes(out / "posts")
    if not args.reuse or not search_index.is_current(st):
        # The first search after an ingest: it waits at most TAGSCOPE_SEARCH_WAIT for the index, then
        # answers from the part built so far (a build it starts is resumed, not redone, below).
        t0 = time.perf_counter()
        first = search(st, "women", limit=20)
        partly = getattr(first, "coverage", None)  # None: complete (or a version that always waits)
        print(f"first search: {time.perf_counter() - t0:.1f} s, total {first.total:,}"
              + (f", index covering {partly[0]:,} of {partly[1]:,} posts" if partly else ", index complete"))
        t0, c0 = time.perf_counter(), time.process_time()
        with st.writer():
            built = search_index.reindex(st)
        build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"index build: {built['documents']:,} posts in {build_s:.1f} s ({built['documents'] / build_s:,.0f} posts/s; "
              f"CPU {build_cpu:.1f} s, {built['documents'] / build_cpu:,.0f} posts/CPU-s; load {os.getloadavg()[0]:.1f})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # GB (Linux reports KB)
    print(f"index segments: {search_index.open_index(st).searcher().num_segments}; peak RSS so far {peak:.2f} GB")
    idx_bytes = folder_bytes(search_index.folder(st))
    print(f"index size: {idx_bytes / 1e6:,.0f} MB (posts Parquet {posts_bytes / 1e6:,.0f} MB, ratio {idx_bytes / posts_bytes:.2f})")

    con = st.con
    con.execute("SET threads = 2")
    print(f"\nsort {args.sort}; hits = a digest of the page's post ids (the same page gives the same digest)")
    print(f"{'query':<42} {'total':>10} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'hits':>8}"
          + (f" {'ILIKE p50':>10} {'ratio':>7}" if args.scan_reps else ""))
    all_ms: list[float] = []
    all_cpu: list[float] = []  # CPU time of the calling thread: robust to a machine shared with other jobs
    for q, filters, pred in QUERIES:
        search(st, q, limit=20, sort=args.sort, **filters)  # warm the page cache once
        ms, cpu = [], []
        for _ in range(args.reps):
            t0, c0 = time.perf_counter(), time.thread_time()
            res = search(st, q, limit=20, sort=args.sort, **filters)
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        all_ms += ms
        all_cpu += cpu
        digest = hashlib.sha1(",".join(h.post_id for h in res.hits).encode()).hexdigest()[:8]
        label = q + (" " + " ".join(f"--{k}={v}" for k, v in filters.items()) if filters else "")
        line = (f"{label:<42} {res.total:>10,} {pct(ms, 50):>8.1f} {pct(ms, 95):>8.1f} {pct(cpu, 50):>8.1f} {pct(cpu, 95):>8.1f}"
                f" {digest:>8}")
        if args.scan_reps:
            scan = []
            for _ in range(args.scan_reps):
                t0 = time.perf_counter()
                total = con.execute(f"SELECT count(*) FROM posts WHERE {pred}").fetchone()[0]  # type: ignore[index]
                con.execute(f"SELECT id, author_handle, created_at, text FROM posts WHERE {pred} ORDER BY created_at LIMIT 20").fetchall()
                scan.append((time.perf_counter() - t0) * 1000)
            flag = "" if total == res.total else f"  (ILIKE counts {total:,}: substring, not word)"
            line += f" {pct(scan, 50):>10.0f} {pct(scan, 50) / pct(ms, 50):>6.0f}x{flag}"
        print(line, flush=True)
    print(f"{'all queries':<42} {'':>10} {pct(all_ms, 50):>8.1f} {pct(all_ms, 95):>8.1f} {pct(all_cpu, 50):>8.1f} {pct(all_cpu, 95):>8.1f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    if args.update:
        table = make_posts(rng, vocab, 10**12, args.update)
        with st.writer():
            pq.write_table(table, st.path / "posts" / ".part-bench-update.parquet", compression="zstd")
            st._derived = False
            st.commit({"posts": (["part-bench-update.parquet"], [])})
            t0 = time.perf_counter()
            upd = search_index.update(st)
            upd_s = time.perf_counter() - t0
        print(f"\nincremental update: {upd['documents']:,} new posts in {upd_s:.1f} s")
        with st.writer():  # leave the store as it was for --reuse
            st.commit({"posts": ([], ["part-bench-update.parquet"])})
            search_index.update(st)

    if args.fts:
        fts(st)
    st.close()


def fts(st: Store) -> None:
    """DuckDB's fts extension on the same posts: build and query time (no incremental update)."""
    import duckdb
    import duckdb_extension_fts

    ext = next(Path(duckdb_extension_fts.__file__).parent.rglob("fts.duckdb_extension"))
    con = duckdb.connect(str(st.path.parent / "fts-bench.duckdb"))
    con.execute("SET threads = 2")
    con.execute(f"LOAD '{ext}'")
    files = st.files("posts")
    t0 = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TABLE p AS SELECT id, text FROM read_parquet({files!r})")
    con.execute("PRAGMA create_fts_index('p', 'id', 'text', stemmer='english', stopwords='none', overwrite=1)")
    build = time.perf_counter() - t0
    size = os.path.getsize(st.path.parent / "fts-bench.duckdb")
    print(f"\nDuckDB fts: build {build:.1f} s, database {size / 1e6:,.0f} MB")
    for q in ("women", "misandry", "supreme gentleman"):
        ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            sql = ("WITH s AS (SELECT id, fts_main_p.match_bm25(id, ?, conjunctive := 1) AS score FROM p) "
                   "SELECT (SELECT count(*) FROM s WHERE score IS NOT NULL), "
                   "(SELECT list(id ORDER BY score DESC) FROM (SELECT id, score FROM s WHERE score IS NOT NULL ORDER BY score DESC LIMIT 20))")
            total = con.execute(sql, [q]).fetchone()[0]  # type: ignore[index]
            ms.append((time.perf_counter() - t0) * 1000)
        print(f"  fts {q!r}: total {total:,} (no phrase support: all words), p50 {pct(ms, 50):,.0f} ms")
    con.close()
    os.remove(st.path.parent / "fts-bench.duckdb")


if __name__ == "__main__":
    main()
