"""A store k times bigger at the rollup level only, to time the rollup and compaction paths at 100M posts.

    python bench/scale_rollups.py --source STORE-x10 --times 10 --out STORE-x100

Writing 100M posts (k more copies of every posts file) does not fit this session's time or the
shared disk; the paths timed here never read posts. Each of SOURCE's posts files gets TIMES names,
hard links of the same file (so a *scan* of the result counts each post TIMES times and is not
meaningful), and each name gets its own per-file rollups: SOURCE's with author keys, handles and post
ids suffixed per copy, as bench_analytics.build suffixes accounts and ids (times and hashtags kept).
Then the current code's ``rollup.update`` runs (it compacts, on a branch that compacts).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb

from tagscope.engines import relations, rollup
from tagscope.store import Store

SUFFIXED = {  # the columns a copy suffixes, per relation (the others are the same in every copy)
    "tag_authors": "author_key || '-s{j}' AS author_key",
    "authors": "author_key || '-s{j}' AS author_key, author_handle || '_s{j}' AS author_handle",
    "tag_first": "id || '-s{j}' AS id, author_key || '-s{j}' AS author_key, author_handle || '_s{j}' AS author_handle",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, type=Path)
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    src = Store(args.source, derived=False)
    out = args.out
    (out / "posts").mkdir(parents=True)
    folder = out.joinpath(*rollup.ROLLUP_DIR)
    folder.mkdir(parents=True)
    con = duckdb.connect()
    names = []
    t0 = time.perf_counter()
    for p in src.files("posts"):
        for j in range(args.times):
            name = f"{Path(p).stem}-s{j}.parquet"
            os.link(p, out / "posts" / name)
            names.append(name)
            for rel in relations.NAMES:
                have = rollup.rollup_dir(src) / rollup.rollup_name(p, rel)
                dest = folder / rollup.rollup_name(name, rel)
                if rel not in SUFFIXED:
                    os.link(have, dest)
                    continue
                cols = SUFFIXED[rel].format(j=j)
                con.execute(f"COPY (SELECT * REPLACE ({cols}) FROM read_parquet('{have}')) TO '{dest}' "
                            "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)")
    manifest = json.loads((args.source / "manifest.json").read_text())
    manifest["posts"] = names
    (out / "manifest.json").write_text(json.dumps(manifest))
    t1 = time.perf_counter()
    st = Store(out, derived=False)
    with st.writer():
        result = rollup.update(st)
    print(f"{len(names)} posts files: rollups copied in {t1 - t0:.1f} s; rollup.update {result} "
          f"in {time.perf_counter() - t1:.1f} s")


if __name__ == "__main__":
    main()
