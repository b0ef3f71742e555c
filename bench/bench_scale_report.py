"""bench_scale.py's markdown: its JSON results as the tables of bench/RESULTS.md, targets said in words."""

from __future__ import annotations

from typing import Any

FIVE = ("count", "trend", "origin", "notables", "cotags")


def _n(x: Any, fmt: str = ",.3f") -> str:
    return "" if x is None else format(x, fmt)


def _ms(s: Any) -> str:
    return "" if s is None else f"{s * 1e3:,.1f}"


def _posts(res: dict, label: str) -> int | None:
    for src in ("build", "stores_info"):
        row = res.get(src, {}).get(label)
        if row and row.get("posts"):
            return int(row["posts"])
    return None


def stores_table(res: dict) -> list[str]:
    build = res.get("build", {})
    if not build:
        return []
    out = ["| store | posts | copies | posts files | posts MB | rollups MB | copy s (CPU s, peak RSS MB) | "
           "rollups s (CPU s, peak RSS MB) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in build.items():
        steps = []
        for step in ("copy", "rollups"):
            s = r.get(step, {})
            steps.append(f"{_n(s.get('process_s'), ',.0f')} ({_n(s.get('process_cpu_s'), ',.0f')}, "
                         f"{_n(s.get('process_peak_rss_mb'), ',.0f')})" + (" " + s["error"] if "error" in s else ""))
        out.append(f"| {label} | {r.get('posts', 0):,} | {r.get('copies')} | {r.get('posts_files')} | "
                   f"{r.get('posts_mb', 0):,} | {r.get('rollup_mb', 0):,} | {steps[0]} | {steps[1]} |")
    return out


def duckdb_table(res: dict) -> list[str]:
    d = res.get("duckdb", {})
    if not d:
        return []
    labels = list(d)
    head = "| analytic | " + " | ".join(f"{lb} open s | {lb} cold s (CPU s) | {lb} second ms | {lb} loads s | "
                                        f"{lb} warm ms (CPU ms) | {lb} peak RSS MB" for lb in labels) + " |"
    out = [head, "|---|" + "---:|" * (6 * len(labels))]
    for name in FIVE:
        if not any(name in d[lb]["analytics"] for lb in labels):
            continue
        cells = []
        for lb in labels:
            r = d[lb]["analytics"].get(name, {})
            if "error" in r:
                cells.append(f"{r['error'][:80]} | | | | |")
                continue
            # second: the next call while the warm tables load in the background (it reads in place);
            # loads s: how long they took after it; warm: the calls after them (a long-lived process).
            loads = _n(r.get("load_wait_s"), ",.1f") + ("" if r.get("loaded", True) else " (not done)")
            cells.append(f"{_n(r.get('open_s'), '.2f')} | {_n(r.get('cold_s'), ',.3f')} ({_n(r.get('cold_cpu_s'), ',.2f')}) | "
                         f"{_ms(r.get('second_s'))} | {loads} | "
                         f"{_ms(r.get('warm_s'))} ({_ms(r.get('warm_cpu_s'))}) | {_n(r.get('peak_rss_mb'), ',.0f')}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def cold_table(res: dict) -> list[str]:
    out = []
    for label, c in res.get("cold", {}).items():
        out += [f"Every analytic's cold first answer at {label} (load {c.get('load_before')} -> {c.get('load_after')}):", "",
                "| analytic | open s | cold s | cold CPU s | warm s | process s | <= 5 s |", "|---|---:|---:|---:|---:|---:|---|"]
        for name, r in c["analytics"].items():
            if "cold_s" not in r:
                out.append(f"| {name} | | | | | {_n(r.get('process_s'), '.1f')} | {r.get('error', '?')[:120]} |")
                continue
            ok = "yes" if r["cold_s"] <= 5 else "**no**"
            out.append(f"| {name} | {r['open_s']} | {r['cold_s']} | {r['cold_cpu_s']} | {r['warm_s']} | "
                       f"{_n(r.get('process_s'), '.1f')} | {ok} |")
        out.append("")
    return out


def _digest(res: dict, mode: str, label: str, name: str) -> str | None:
    if mode == "duckdb":
        return res.get("duckdb", {}).get(label, {}).get("analytics", {}).get(name, {}).get("digest")
    return res.get(mode, {}).get(label, {}).get("analytics", {}).get(name, {}).get("digest")


def same(res: dict, label: str, name: str) -> str:
    got = {m: _digest(res, m, label, name) for m in ("duckdb", "scan", "spark")}
    have = {m: g for m, g in got.items() if g}
    if len(have) < 2:
        return "n/a"
    return ("yes (" + ", ".join(have) + ")") if len(set(have.values())) == 1 else "**DIFFERENT** " + str(have)


def engines_table(res: dict) -> list[str]:
    labels = [lb for lb in res.get("stores", {}) if lb in res.get("scan", {}) or lb in res.get("spark", {})]
    if not labels:
        return []
    out = ["| store | analytic | DuckDB warm ms | DuckDB scan s (CPU s) | Spark cold s (CPU s) | Spark warm s (CPU s) | "
           "Spark / scan CPU | same answer |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for lb in labels:
        for name in FIVE:
            dk = res.get("duckdb", {}).get(lb, {}).get("analytics", {}).get(name, {})
            sc = res.get("scan", {}).get(lb, {}).get("analytics", {}).get(name)
            sp = res.get("spark", {}).get(lb, {}).get("analytics", {}).get(name)
            if sc is None and sp is None:
                continue

            def cell(r: dict | None, key: str) -> str:
                if not r:
                    return "not run"
                if "error" in r:
                    return r["error"][:60]
                return f"{_n(r.get(key + '_s'), ',.2f')} ({_n(r.get(key + '_cpu_s'), ',.1f')})" if key + "_s" in r else ""

            ratio = ""
            sc_cpu, sp_cpu = _cpu(sc), _cpu(sp)
            if sc_cpu and sp_cpu:
                ratio = f"{sp_cpu / sc_cpu:.1f}x"
            out.append(f"| {lb} | {name} | {_ms(dk.get('warm_s'))} | {cell(sc, 'warm') or cell(sc, 'cold')} | "
                       f"{cell(sp, 'cold')} | {cell(sp, 'warm')} | {ratio} | {same(res, lb, name)} |")
    return out


def _cpu(r: dict | None) -> float | None:
    """A scan's CPU seconds: the warm median when there is one, else the first call."""
    if not r or "error" in r:
        return None
    return r.get("warm_cpu_s") or r.get("cold_cpu_s")


def throughput_rows(res: dict) -> list[dict]:
    rows = []
    for lb in res.get("stores", {}):
        posts = _posts(res, lb)
        if not posts:
            continue
        for name in FIVE:
            row = {"store": lb, "analytic": name, "posts": posts}
            for mode in ("scan", "spark"):
                c = _cpu(res.get(mode, {}).get(lb, {}).get("analytics", {}).get(name))
                if c:
                    row[mode] = posts / c
            if len(row) > 3:
                rows.append(row)
    return rows


def throughput_table(res: dict) -> list[str]:
    rows = throughput_rows(res)
    if not rows:
        return []
    out = ["| store | analytic | posts | DuckDB scan posts/CPU-s | Spark posts/CPU-s | Spark CPU / DuckDB CPU per post |",
           "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{r['scan'] / r['spark']:.1f}x" if "scan" in r and "spark" in r else ""
        out.append(f"| {r['store']} | {r['analytic']} | {r['posts']:,} | {_n(r.get('scan'), ',.0f')} | "
                   f"{_n(r.get('spark'), ',.0f')} | {ratio} |")
    return out


PRICE = 0.05  # $ per vCPU-hour: on-demand general-purpose cloud cores (a 4-vCPU instance at ~$0.20/h)


def cluster_note(res: dict, cores: int = 2) -> list[str]:
    """When Spark overtakes this machine, and what a run costs, from the per-core scan rates measured.

    Assumes both scans stay linear in posts and cores (the 10M -> 100M step says how far that holds)
    and ignores Spark's fixed cost per query; storage from the posts files' bytes per post."""
    points: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for lb in res.get("stores", {}):
        posts = _posts(res, lb)
        for mode in ("scan", "spark"):
            for name in FIVE:
                c = _cpu(res.get(mode, {}).get(lb, {}).get("analytics", {}).get(name))
                if posts and c:
                    points.setdefault((name, mode), []).append((posts, c))
    out = []
    src = res.get("source", {})
    b = res.get("build", {})
    per_post = [v["posts_mb"] * 1e6 / v["posts"] for v in b.values() if v.get("posts")]
    if per_post:
        bpp = max(per_post)
        raw = f"; an ingested store also keeps its raw records, {src['raw_bpp']:,.0f} bytes per post in the source" if src.get("raw_bpp") else ""
        total = bpp + src.get("raw_bpp", 0)
        out.append(f"- Disk: the posts files take {bpp:,.0f} bytes per post{raw}: {total:,.0f} bytes per post -> 1B posts "
                   f"~{total:,.0f} GB, 10B ~{total * 10 / 1000:,.1f} TB (rollups and the search index extra).")
    for name in FIVE:
        duck, spark = points.get((name, "scan")), points.get((name, "spark"))
        if not duck or not spark:
            continue
        rates = {}
        text = []
        for mode, pts in (("DuckDB", duck), ("Spark", spark)):
            pts = sorted(pts)
            if len(pts) >= 2 and pts[-1][0] > pts[0][0] and pts[-1][1] > pts[0][1]:
                (n0, c0), (n1, c1) = pts[0], pts[-1]
                slope = (c1 - c0) / (n1 - n0)
                fixed = c0 - slope * n0
                rates[mode] = 1 / slope
                text.append(f"{mode}: ({c1:,.1f} - {c0:,.1f}) CPU-s / ({n1:,} - {n0:,}) posts = {slope * 1e6:,.3f} "
                            f"CPU-s per 1M posts = {1 / slope:,.0f} posts/CPU-s (fixed cost per query {fixed:,.1f} CPU-s)")
            else:
                n1, c1 = pts[-1]
                rates[mode] = n1 / c1
                text.append(f"{mode}: {n1:,} posts / {c1:,.1f} CPU-s = {n1 / c1:,.0f} posts/CPU-s (one size)")
        d, sp = rates["DuckDB"], rates["Spark"]
        ratio, one = d / sp, cores * d
        line = [f"- **{name}**: " + "; ".join(text) + f". Spark spends {ratio:.1f}x DuckDB's CPU per post. This machine "
                f"scans {cores} x {d:,.0f} = {one:,.0f} posts/s; Spark at N cores N x {sp:,.0f}: it overtakes when "
                f"N > {cores} x {ratio:.1f} = **{cores * ratio:,.0f} cores**."]
        for total, word in ((1e9, "1B"), (1e10, "10B")):
            cpu_h = total / sp / 3600
            line.append(f"{word} posts: one machine {total / one / 60:,.1f} min; Spark {total:,.0f} / {sp:,.0f} = "
                        f"{cpu_h:,.2f} vCPU-hours ({cpu_h * 60 / 100:,.1f} min on 100 cores), ~${cpu_h * PRICE:,.2f} "
                        f"at ${PRICE}/vCPU-hour.")
        out.append(" ".join(line))
    return out


def stats_lines(res: dict) -> list[str]:
    st = res.get("stats")
    if not st:
        return []
    out = ["| store | `tagscope stats` s (process s, CPU s, peak RSS MB) | posts | authors |", "|---|---:|---:|---:|"]
    for lb, r in st.items():
        if "stats_s" not in r:
            out.append(f"| {lb} | {r.get('error')} | | |")
            continue
        out.append(f"| {lb} | {r['stats_s']:,.1f} ({r['process_s']:,.1f}, {r['process_cpu_s']:,.1f}, "
                   f"{r['process_peak_rss_mb']:,}) | {r['posts']:,} | {r['authors']:,} |")
    return out


def index_lines(res: dict) -> list[str]:
    r = res.get("index")
    if not r:
        return []
    if "documents" not in r:
        return [f"Index build on {r.get('store')}: {r.get('error')}"]
    ok = "met" if r["posts_per_s"] >= 85_000 else "**not met**"
    return ["| store | posts indexed | build s | CPU s | posts/s | posts/CPU-s | index MB | peak RSS MB | >= 85k posts/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
            f"| {r['store']} | {r['documents']:,} | {r['build_s']:,.1f} | {r['process_cpu_s']:,.1f} | {r['posts_per_s']:,} | "
            f"{r['posts_per_cpu_s']:,} | {r['index_mb']:,} | {r['process_peak_rss_mb']:,} | {ok} |"]


def search_lines(res: dict) -> list[str]:
    r = res.get("search")
    if not r:
        return []
    if "queries" not in r:
        return [f"Search on {r.get('store')}: {r.get('error')}"]
    out = [f"Search on {r['store']} (index complete: {r.get('index_current')}; load after {r.get('load_after')}):", "",
           "| query | total | p50 ms | p95 ms | CPU p95 ms |", "|---|---:|---:|---:|---:|"]
    for q in r["queries"]:
        note = f" (index covers {q['coverage'][0]:,} of {q['coverage'][1]:,})" if q.get("coverage") else ""
        out.append(f"| {q['query']} | {q['total']:,}{note} | {q['p50_ms']} | {q['p95_ms']} | {q['cpu_p95_ms']} |")
    out.append(f"| **all queries** | | **{r['p50_ms']}** | **{r['p95_ms']}** | {r['cpu_p95_ms']} |")
    return out


def checks(res: dict) -> list[str]:
    """A store of k copies counts k times the source: the same count per copy at every scale."""
    per_copy = {}
    for lb, b in res.get("build", {}).items():
        c = res.get("duckdb", {}).get(lb, {}).get("analytics", {}).get("count", {}).get("count")
        if c is not None and b.get("copies"):
            per_copy[lb] = (c, b["copies"], c / b["copies"])
    if len(per_copy) < 2:
        return []
    ok = len({v[2] for v in per_copy.values()}) == 1
    text = "; ".join(f"{lb}: {c:,} = {k} x {c / k:,.0f}" for lb, (c, k, _) in per_copy.items())
    return [f"#{'yesallwomen'} count per copy equal at every scale: {'yes' if ok else '**DIFFERENT**'} ({text})"]


def targets(res: dict) -> list[str]:
    out = []
    big = res.get("duckdb", {}).get("100M", {}).get("analytics", {})
    if big:
        warm = {n: r.get("warm_s") for n, r in big.items() if n in FIVE}
        bad = [n for n, w in warm.items() if w is None or w > 0.1]
        out.append(f"- DuckDB warm count/trend/origin/notables/cotags <= 100 ms at 100M: "
                   f"{'met' if not bad else '**not met** (' + ', '.join(bad) + ')'} "
                   f"({', '.join(f'{n} {_ms(w)} ms' for n, w in warm.items())})")
    cold = res.get("cold", {}).get("10M", {}).get("analytics", {})
    if cold:
        slow = [f"{n} {r['cold_s']} s" if "cold_s" in r else f"{n} (error)" for n, r in cold.items()
                if "cold_s" not in r or r["cold_s"] > 5]
        out.append(f"- Every analytic's cold first answer <= 5 s at 10M: {'met' if not slow else '**not met**: ' + ', '.join(slow)}")
    if res.get("search", {}).get("p95_ms") is not None:
        p = res["search"]["p95_ms"]
        out.append(f"- Search p95 <= 50 ms at {res['search']['store']}: {'met' if p <= 50 else '**not met**'} ({p} ms)")
    if res.get("index", {}).get("posts_per_s"):
        v = res["index"]["posts_per_s"]
        out.append(f"- Index built at >= 85k posts/s: {'met' if v >= 85_000 else '**not met**'} ({v:,} posts/s)")
    return out


def markdown(res: dict) -> str:
    parts: list[list[str]] = []
    phases = res.get("_phases", {})
    if phases:
        parts.append(["| phase | finished (UTC) | wall s | load at start -> end |", "|---|---|---:|---|"]
                     + [f"| {p} | {v['at']} | {v['wall_s']:,} | {v['load_start']} -> {v['load_end']} |" for p, v in phases.items()])
    for block in (stores_table(res), duckdb_table(res), cold_table(res), engines_table(res), throughput_table(res),
                  stats_lines(res), index_lines(res), search_lines(res), checks(res), targets(res), cluster_note(res)):
        if block:
            parts.append(block)
    return "\n\n".join("\n".join(b) for b in parts) + "\n"
