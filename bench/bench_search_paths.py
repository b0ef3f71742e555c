"""Time the ways tantivy-py 0.27 can give search()'s exact total and top 20, per bench query.

For each query of bench_search.py (on a store it built), the median CPU ms (process: every thread) of:

- ``count+page``: ``search(q, 20, count=True)``, the one pass search() made for every query before;
- ``page``: ``count=False`` (tantivy-py still wraps TopDocs in a MultiCollector: no pruning);
- ``const``: the total alone as ``search(const_score_query(q, 1.0), 1, count=True)`` (no BM25);
- ``unscored``: the total alone as ``search(q, 1, count=True, order_by_field="created_at")``;
- ``agg``: the total alone as a ``value_count`` aggregation over ``created_at``;
- ``docfreq``: ``doc_freq`` of a lone term (no filter), plus the deleted-documents check;
- ``time``/``time-nc``: the chronological page with and without the count;
- ``2 thr``: page and unscored count in two threads (tantivy-py releases the GIL while searching):
  CPU and wall;
- with ``--split``: the documents split in two disjoint halves searched in two threads and merged
  (half of the ``chunk`` terms as a term set; reposts / the rest), CPU and wall.

Every alternative is checked against ``count+page`` (same total, same hits in the same order);
a mismatch prints DIFF.

Run: PYTHONPATH=src nice .venv/bin/python bench/bench_search_paths.py /tmp/sf/10m --reps 20 [--split]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

sys.path.insert(0, str(Path(__file__).parent))
from bench_search import QUERIES, pct

from tagscope.engines.filters import Filters
from tagscope.search import engine
from tagscope.search.query import parse
from tagscope.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--split", action="store_true", help="also time the two-halves split in two threads")
    args = ap.parse_args()
    st = Store(args.store)
    ix, s = engine._searcher(st)
    pool = ThreadPoolExecutor(2)
    Occ = tantivy.Occur

    def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
        fn()  # warm
        ws, cs = [], []
        for _ in range(args.reps):
            w0, c0 = time.perf_counter(), time.process_time()
            r = fn()
            ws.append((time.perf_counter() - w0) * 1e3)
            cs.append((time.process_time() - c0) * 1e3)
        return r, pct(cs, 50), pct(ws, 50)

    def page(r: Any) -> list[tuple[Any, int, int]]:
        return [(round(k, 4) if isinstance(k, float) else k, a.segment_ord, a.doc) for k, a in r.hits]

    print(f"{args.store}: {s.num_docs:,} documents, {s.num_segments} segments; load {os.getloadavg()[0]:.1f}; "
          f"median of {args.reps}, CPU ms (wall where shown)")
    print(f"{'query':<44} {'total':>9} {'count+page':>10} {'page':>6} {'const':>6} {'unscored':>8} {'agg':>6} "
          f"{'docfreq':>7} {'time':>6} {'time-nc':>7} {'2 thr cpu/wall':>15}")
    def check(ok: bool, cell: str) -> str:
        return cell if ok else cell + " DIFF"

    def paths(text: str, filters: dict[str, Any]) -> None:
        f = engine.check_filters(Filters(**filters))
        tree = parse(text)
        q = engine.compile_query(ix.schema, tree, f)
        base, c_old, _ = timed(lambda: s.search(q, 20, count=True))
        cols = [f"{c_old:10.1f}"]
        r, c, _ = timed(lambda: s.search(q, 20, count=False))
        cols.append(check(page(r) == page(base), f"{c:6.1f}"))
        cq = tantivy.Query.const_score_query(q, 1.0)
        r, c, _ = timed(lambda: s.search(cq, 1, count=True))
        cols.append(check(r.count == base.count, f"{c:6.1f}"))
        r, c, _ = timed(lambda: s.search(q, 1, count=True, order_by_field="created_at"))
        cols.append(check(r.count == base.count, f"{c:8.1f}"))
        r, c, _ = timed(lambda: s.aggregate(q, {"n": {"value_count": {"field": "created_at"}}}))
        cols.append(check(int(r["n"]["value"]) == base.count, f"{c:6.1f}"))
        n, c, _ = timed(lambda: engine._lone_term_total(s, tree, f))
        cols.append(f"{'-':>7}" if n is None else check(n == base.count, f"{c:7.2f}"))
        tm, c, _ = timed(lambda: s.search(q, 20, count=True, order_by_field="created_at", order=tantivy.Order.Asc))
        cols.append(f"{c:6.1f}")
        r, c, _ = timed(lambda: s.search(q, 20, count=False, order_by_field="created_at", order=tantivy.Order.Asc))
        cols.append(check(page(r) == page(tm), f"{c:7.1f}"))

        def two() -> tuple[Any, Any]:
            a = pool.submit(s.search, q, 20, count=False)
            b = pool.submit(s.search, q, 1, count=True, order_by_field="created_at")
            return a.result(), b.result()

        (p2, c2), c, w = timed(two)
        cols.append(check(page(p2) == page(base) and c2.count == base.count, f"{c:7.1f}/{w:6.1f}"))
        label = text + (" " + " ".join(f"--{k}={v}" for k, v in filters.items()) if filters else "")
        print(f"{label:<44} {base.count:>9,} " + " ".join(cols), flush=True)

    for text, filters, _ in QUERIES:
        paths(text, filters)
    if not args.split:
        return
    names = sorted(t for t, _ in s.terms_with_prefix("chunk", ""))
    halves = {
        "chunk set": tantivy.Query.term_set_query(ix.schema, "chunk", names[: len(names) // 2]),
        "reposts": tantivy.Query.term_query(ix.schema, "kind", "repost", index_option="basic"),
    }
    print(f"\n{'split in two threads':<44} {'one pass':>8}  " + "  ".join(f"{k + ' cpu/wall (one half)':>34}" for k in halves))
    def split_row(text: str, filters: dict[str, Any]) -> None:
        q = engine.compile_query(ix.schema, parse(text), engine.check_filters(Filters(**filters)))
        base, c_old, _ = timed(lambda: s.search(q, 20, count=True))
        cols = []
        for part in halves.values():
            a = tantivy.Query.boolean_query([(Occ.Must, q), (Occ.Must, tantivy.Query.const_score_query(part, 0.0))])
            b = tantivy.Query.boolean_query([(Occ.Must, q), (Occ.MustNot, part)])

            def split(a: Any = a, b: Any = b) -> tuple[int, list[Any]]:
                fa, fb = pool.submit(s.search, a, 20, count=True), pool.submit(s.search, b, 20, count=True)
                ra, rb = fa.result(), fb.result()
                hits = sorted(ra.hits + rb.hits, key=lambda h: (-h[0], h[1].segment_ord, h[1].doc))[:20]
                return ra.count + rb.count, hits

            (n, hits), c, w = timed(split)
            _, ch, wh = timed(lambda a=a: s.search(a, 20, count=True))
            same = n == base.count and [(round(k, 4), x.segment_ord, x.doc) for k, x in hits] == page(base)
            cols.append(f"{c:12.1f}/{w:6.1f} ({ch:5.1f}/{wh:5.1f})" + ("" if same else " DIFF"))
        label = text + (" " + " ".join(f"--{k}={v}" for k, v in filters.items()) if filters else "")
        print(f"{label:<44} {c_old:8.1f}  " + "  ".join(f"{x:>34}" for x in cols), flush=True)

    for text, filters, _ in QUERIES:
        split_row(text, filters)


if __name__ == "__main__":
    main()
