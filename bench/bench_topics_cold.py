"""topics' cold first answer: its JSON for comparing two checkouts, and where one call's time goes.

    PYTHONPATH=<checkout>/src nice python bench/bench_topics_cold.py --store STORE --dump OUT.json
    PYTHONPATH=<checkout>/src nice python bench/bench_topics_cold.py --store STORE --phases
    python bench/bench_topics_cold.py --same A.json B.json

``--dump`` writes ``topics yesallwomen --every day`` as ``{"data", "table", "meta"}`` with sorted keys
(``meta`` holds every k's coherence score), so two checkouts' answers compare byte for byte with
``--same``. ``--phases`` times one call in this new process, wall and process CPU (threads included):
importing scikit-learn, each statement the engine runs, and ``topics_model.fit_assign`` when the
checkout has it (the fits, vectorising and assigning every text). bench/RESULTS.md, "Topics (issue #22)".
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

import orjson

TAG = "yesallwomen"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def dump(store: str, out: str) -> None:
    import tagscope
    from tagscope.analytics import registry

    fig = registry.run("topics", tagscope.open(store), tag=TAG, every="day")
    payload = {"data": fig.data, "table": fig.table.to_pylist(), "meta": fig.meta}
    with open(out, "wb") as fh:
        fh.write(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
                              default=str))


def phases(store: str) -> None:
    import tagscope
    from tagscope.analytics import registry
    from tagscope.engines.duckdb import DuckDBEngine

    st = tagscope.open(store)
    log: list[tuple[str, float, float]] = []

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t, c = time.perf_counter(), cpu()
            out = fn(*args, **kwargs)
            log.append((name, time.perf_counter() - t, cpu() - c))
            return out
        return wrapper

    DuckDBEngine.run = timed("statement", DuckDBEngine.run)
    t, c = time.perf_counter(), cpu()
    import sklearn.decomposition
    import sklearn.feature_extraction.text  # noqa: F401
    log.append(("import scikit-learn", time.perf_counter() - t, cpu() - c))
    from tagscope.analytics import topics_model

    if hasattr(topics_model, "fit_assign"):
        topics_model.fit_assign = timed("fit + assign", topics_model.fit_assign)
    t, c = time.perf_counter(), cpu()
    registry.run("topics", st, tag=TAG, every="day")
    wall, cpus = time.perf_counter() - t, cpu() - c
    for name, w, p in log:
        print(f"{name}: {w:.2f} s wall, {p:.2f} CPU-s")
    print(f"the call after the import: {wall:.2f} s wall, {cpus:.2f} CPU-s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store")
    ap.add_argument("--dump", metavar="OUT")
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--same", nargs=2, metavar=("A", "B"))
    args = ap.parse_args()
    if args.same:
        a, b = (orjson.loads(Path(p).read_bytes()) for p in args.same)
        print("identical" if a == b else "DIFFERENT: " + ", ".join(k for k in a["data"] if a["data"][k] != b["data"].get(k)))
        sys.exit(0 if a == b else 1)
    if args.dump:
        dump(args.store, args.dump)
    if args.phases:
        phases(args.store)


if __name__ == "__main__":
    main()
