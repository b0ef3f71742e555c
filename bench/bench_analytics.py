"""Benchmark: every analytic, cold and warm, at 1M and 10M posts, against a pandas baseline.

    python bench/bench_analytics.py --source STORE [--scales 1,10] [--work DIR]

SOURCE is a store ingested from `tagscope simulate` (for example 1M posts). Scale k builds a store
of k copies of SOURCE's posts (ids and authors suffixed per copy, so posts and accounts are
distinct; times and hashtags kept) and computes its rollups, exactly as ingest would.

Baseline: pandas, vectorised, on the same normalised table already in memory, one row per post and
tag (tag as a categorical, the fastest simple layout; an authors table with each account's latest
follower count is precomputed too). Timings: "cold" opens a new Store (new DuckDB connection, warm
tables built from the rollup files) and runs the analytic once; "warm" is the median of 7 further
runs; "scan" is one run of the same analytic with rollups off (a plain scan of posts). Ratios are baseline
time / tagscope warm time, measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tagscope import analytics as an
from tagscope.engines import rollup
from tagscope.store import Store
from tagscope.store.store import spill_dir

TAG = "yesallwomen"


def build(source: Path, scale: int, work: Path) -> Path:
    """A store of SCALE copies of SOURCE's posts, with rollups (at WORK/store-xSCALE)."""
    if scale == 1:
        return source
    target = work / f"store-x{scale}"
    if (target / "manifest.json").exists():
        return target
    t0 = time.perf_counter()
    copy_posts(source, scale, target)
    t1 = time.perf_counter()
    rollup.update(Store(target, derived=False))
    print(f"built x{scale}: copy {t1 - t0:.1f} s, rollups {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    return target


def copy_posts(source: Path, copies: int, target: Path, *, rollups: bool = False) -> int:
    """Commit COPIES copies of SOURCE's live posts into the store TARGET, one posts file per copy.

    Copy i suffixes ids ("-ci"), author ids ("-ci") and handles ("_i"), so posts and accounts are
    distinct; times, tags, texts and the ids a post replies to, quotes or reposts are kept. Each file
    is written as the store writes a posts file (store.commit._write) and sorted by (created_at, id):
    the per-file rollups take the row order as each account's "latest" (engines/relations.py, LATEST).
    The source is read and sorted once, in memory; a suffix keeps that order unless one id is a prefix
    of another with the same time, which is checked (and then each copy is sorted on its own).

    With ROLLUPS, each copy's rollups are derived from the source's (see copy_rollups) instead of
    being computed from its posts by rollup.update. Copies already committed (a stopped build) are
    kept. Returns the number of posts files written.
    """
    from tagscope.store.commit import _write  # the store's own posts-file writer (row groups, encodings)

    src = Store(source, derived=False)
    table = pa.concat_tables(pq.read_table(f) for f in src.files("posts"))
    table = table.take(pc.sort_indices(table, [("created_at", "ascending"), ("id", "ascending")]))
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{spill_dir()}'; SET enable_progress_bar = false")
    con.register("_src", table.select(["created_at", "id"]))
    # Sorted after suffixing too? Only an id that is a prefix of the next one (same time) can flip.
    flips = con.execute(
        "SELECT count(*) FROM (SELECT created_at, id, lead(created_at) OVER w AS t2, lead(id) OVER w AS id2 "
        "FROM (SELECT *, row_number() OVER () AS n FROM _src) WINDOW w AS (ORDER BY n)) "
        "WHERE t2 = created_at AND starts_with(id2, id) AND id2 <> id"
    ).fetchone()[0]  # type: ignore[index]
    con.unregister("_src")
    derive = copy_rollups(table, con, target) if rollups and not flips else None
    st = Store(target, derived=False)
    written = 0
    with st.writer():
        have = set(st.manifest["posts"])
        for i in range(copies):
            name = f"bench-copy-{i:03d}.parquet"
            final = str(target / "posts" / name)
            if name in have:
                if derive:  # a rebuild of the rollups (a relation added or changed): only those missing
                    derive(i, final, final)
                continue
            copy = table
            for col, suffix in (("id", f"-c{i}"), ("author_id", f"-c{i}"), ("author_handle", f"_{i}")):
                at = copy.schema.get_field_index(col)
                copy = copy.set_column(at, col, pc.binary_join_element_wise(copy[col], suffix, ""))
            if flips:
                copy = copy.take(pc.sort_indices(copy, [("created_at", "ascending"), ("id", "ascending")]))
            _write(st, "posts", name, copy)
            if derive:
                derive(i, final, str(target / "posts" / ("." + name)))
            st.commit({"posts": ([name], [])})  # one commit per copy: a stopped build resumes
            written += 1
    con.close()
    shutil.rmtree(target.parent / f".{target.name}-rollups", ignore_errors=True)
    return written


# Placeholders appended to the source's ids, author ids and handles before its rollups are made: each
# copy's rollups are then the source's with the placeholders replaced by that copy's suffixes.
_ID, _HANDLE = "\x01", "\x02"


def copy_rollups(table: pa.Table, con: duckdb.DuckDBPyConnection, target: Path):
    """A function (i, posts file, file to read it from) writing copy i's missing rollups from TABLE's.

    A copy differs from the source (TABLE, sorted) only by suffixes that keep every group and every
    order (copy_posts checks the order), so its per-file rollups are the source's with placeholders
    turned into its suffixes, in every text column (and list of texts): a few MB rewritten per copy
    instead of its posts scanned. The first copy derived is checked against rollup's own computation
    of every relation (a relation whose rows depend on ids otherwise stops the build).
    """
    from tagscope.engines import relations

    folder = rollup.rollup_dir(Store(target, derived=False))
    folder.mkdir(parents=True, exist_ok=True)
    marked = table
    for col, mark in (("id", _ID), ("author_id", _ID), ("author_handle", _HANDLE)):
        for m in (_ID, _HANDLE):
            if pc.any(pc.match_substring(marked[col], m)).as_py():
                raise ValueError(f"source {col} holds a placeholder character: derive no rollups")
        marked = marked.set_column(marked.schema.get_field_index(col), col,
                                   pc.binary_join_element_wise(marked[col], mark, ""))
    base = target.parent / f".{target.name}-rollups"
    base.mkdir(exist_ok=True)
    con.register("_marked", marked.append_column("_row", pa.array(np.arange(len(marked), dtype=np.int64))))
    selects = {}
    for rel in relations.NAMES:
        sql, params = relations.define(rel, "_marked", per_file="_row")
        rollup.write_parquet(sql, params, base / f"{rel}.parquet", con)
        cols = []
        for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{base / rel}.parquet')").fetchall():
            fix = "replace(replace({x}, chr(1), '-c{{i}}'), chr(2), '_{{i}}')"
            if typ == "VARCHAR":
                cols.append(f"{fix.format(x=name)} AS {name}")
            elif typ == "VARCHAR[]":
                cols.append(f"list_transform({name}, lambda x: {fix.format(x='x')}) AS {name}")
        selects[rel] = f"SELECT * {'REPLACE (' + ', '.join(cols) + ')' if cols else ''} FROM read_parquet('{base / rel}.parquet')"
    con.unregister("_marked")
    checked = [False]

    def derive(i: int, posts_file: str, read_from: str) -> None:
        for rel in relations.NAMES:
            dest = folder / rollup.rollup_name(posts_file, rel)
            if not dest.exists():
                rollup.write_parquet(selects[rel].format(i=i), [], dest, con)
        if not checked[0]:  # the first copy: the derived rollups equal rollup's own, or the build stops
            for rel in relations.NAMES:
                own, params = relations.define(rel, f"read_parquet('{read_from}', file_row_number = true)",
                                               per_file="file_row_number")
                mine = f"read_parquet('{folder / rollup.rollup_name(posts_file, rel)}')"
                diff = con.execute(f"SELECT (SELECT count(*) FROM (({own}) EXCEPT ALL (SELECT * FROM {mine}))) + "
                                   f"(SELECT count(*) FROM ((SELECT * FROM {mine}) EXCEPT ALL ({own})))",
                                   params + params).fetchone()[0]  # type: ignore[index]
                if diff:
                    raise AssertionError(f"derived rollup {rel} of {posts_file} differs from rollup's own in {diff} rows")
            checked[0] = True

    return derive


def load_pandas(store: Store):
    """The baseline's in-memory table: one row per (post, tag); plus latest followers per account."""
    tbl = store.con.execute(
        """SELECT post, tag, created_at, is_repost, author_key, followers FROM (
             SELECT row_number() OVER () AS post, unnest(hashtags_norm) AS tag, created_at, kind = 'repost' AS is_repost,
                    platform || ':' || coalesce(author_id, author_handle) AS author_key, author_followers AS followers
             FROM posts)"""
    ).to_arrow_table()
    df = tbl.to_pandas()
    latest = df.sort_values("created_at").dropna(subset=["followers"]).groupby("author_key", observed=True)["followers"].last()
    return df, latest


def baselines(df, latest):
    import pandas as pd

    def count():
        return int((df["tag"] == TAG).sum())

    def trend():
        sub = df.loc[df["tag"] == TAG, "created_at"]
        s = sub.dt.floor("D").value_counts().sort_index()
        return s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D"), fill_value=0)

    def origin():
        return df.loc[df["tag"] == TAG].nsmallest(10, "created_at")

    def notables():
        sub = df.loc[df["tag"] == TAG]
        per = sub.groupby("author_key", observed=True).size().rename("posts").to_frame()
        per["followers"] = latest.reindex(per.index).to_numpy()
        return per.nlargest(20, "followers")

    def cotags():
        posts = df.loc[df["tag"] == TAG, "post"]
        sub = df.loc[df["post"].isin(posts) & (df["tag"] != TAG), "tag"]
        return sub.value_counts().head(20)

    return {"count": count, "trend": trend, "origin": origin, "notables": notables, "cotags": cotags}


CALLS = {
    "count": lambda st, **kw: an.count(st, TAG, **kw),
    "trend": lambda st, **kw: an.trend(st, TAG, every="day", **kw),
    "origin": lambda st, **kw: an.origin(st, TAG, first=10, **kw),
    "notables": lambda st, **kw: an.notables(st, TAG, top=20, **kw),
    "cotags": lambda st, **kw: an.cotags(st, TAG, top=20, **kw),
    "audience": lambda st, **kw: an.audience(st, TAG, **kw),
    "velocity": lambda st, **kw: an.velocity(st, TAG, **kw),
    "variants": lambda st, **kw: an.variants(st, TAG, **kw),
    "links": lambda st, **kw: an.links(st, TAG, **kw),
}


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run_scale(path: Path, with_pandas: bool) -> dict:
    st0 = Store(path, derived=False)
    posts = st0.stats()["posts"]
    folder = path / "derived" / "rollup"
    out: dict = {"posts": posts, "analytics": {}, "rollup_mb": sum(f.stat().st_size for f in folder.iterdir()) / 1e6,
                 "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    base: dict[str, float] = {}
    cat: dict[str, float] = {}
    if with_pandas:
        t0 = time.perf_counter()
        df, latest = load_pandas(st0)
        out["pandas_rows"] = len(df)
        out["pandas_load_s"] = time.perf_counter() - t0
        out["pandas_tag_dtype"] = str(df["tag"].dtype)
        for layout, into in (("as loaded", base), ("categorical", cat)):
            if layout == "categorical":
                df["tag"] = df["tag"].astype("category")
                df["author_key"] = df["author_key"].astype("category")
            for name, fn in baselines(df, latest).items():
                fn()
                into[name], res = timed(fn, 5)
                if name == "count":
                    out["pandas_count"] = res
        del df, latest
        gc.collect()
    st0.close()
    for name, call in CALLS.items():
        st = Store(path, derived=False)
        cold, fig = timed(lambda st=st, call=call: call(st))
        warm, _ = timed(lambda st=st, call=call: call(st), 7)
        scan, _ = timed(lambda st=st, call=call: call(st, rollup=False), 1)
        row = {"cold_ms": cold * 1e3, "warm_ms": warm * 1e3, "scan_ms": scan * 1e3}
        if name in base:
            row["pandas_ms"] = base[name] * 1e3
            row["x_pandas"] = base[name] / warm
            row["pandas_cat_ms"] = cat[name] * 1e3
            row["x_pandas_cat"] = cat[name] / warm
        if name == "count":
            out["count"] = fig.data["count"]
        out["analytics"][name] = row
        st.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--work", type=Path, default=Path("bench-work"))
    ap.add_argument("--no-pandas", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for k in (int(x) for x in args.scales.split(",")):
        path = build(args.source, k, args.work)
        r = run_scale(path, not args.no_pandas)
        if "pandas_count" in r:
            assert r["pandas_count"] == r["count"], (r["pandas_count"], r["count"])
        results[k] = r
        print(f"\n## x{k}: {r['posts']:,} posts" + (f", pandas table {r['pandas_rows']:,} rows" if "pandas_rows" in r else ""))
        print(f"pandas tag dtype as loaded: {r.get('pandas_tag_dtype')}; rollups {r['rollup_mb']:.1f} MB; "
              f"load average {r['load']}")
        print(f"{'analytic':10} {'cold ms':>9} {'warm ms':>9} {'scan ms':>9} {'pandas ms':>10} {'x pandas':>9} "
              f"{'pd-cat ms':>10} {'x pd-cat':>9}")
        for name, row in r["analytics"].items():
            cells = []
            for key, fmt in (("pandas_ms", "10.1f"), ("x_pandas", "9.1f"), ("pandas_cat_ms", "10.1f"), ("x_pandas_cat", "9.1f")):
                width = int(fmt.split(".")[0])
                cells.append(format(row[key], fmt) if key in row else "-".rjust(width))
            print(f"{name:10} {row['cold_ms']:9.1f} {row['warm_ms']:9.2f} {row['scan_ms']:9.1f} " + " ".join(cells))
    (args.work / "bench_analytics.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
