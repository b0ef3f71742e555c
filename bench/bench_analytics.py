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
import statistics
import sys
import time
from pathlib import Path

import duckdb

from tagscope import analytics as an
from tagscope.engines import rollup
from tagscope.store import Store

TAG = "yesallwomen"


def build(source: Path, scale: int, work: Path) -> Path:
    """A store of SCALE copies of SOURCE's posts, with rollups."""
    if scale == 1:
        return source
    target = work / f"store-x{scale}"
    if (target / "manifest.json").exists():
        return target
    src = Store(source, derived=False)
    files = "[" + ", ".join(f"'{f}'" for f in src.files("posts")) + "]"
    st = Store(target, derived=False)
    con = duckdb.connect()
    t0 = time.perf_counter()
    with st.writer():
        names = []
        for i in range(scale):
            name = f"bench-copy-{i:03d}.parquet"
            staged = target / "posts" / ("." + name)
            con.execute(
                f"COPY (SELECT * REPLACE (id || '-c{i}' AS id, author_id || '-c{i}' AS author_id, "
                f"author_handle || '_{i}' AS author_handle) FROM read_parquet({files})) TO '{staged}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            names.append(name)
        st.commit({"posts": (names, [])})
    t1 = time.perf_counter()
    rollup.update(st)
    print(f"built x{scale}: copy {t1 - t0:.1f} s, rollups {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    return target


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
