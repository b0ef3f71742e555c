"""Smoke test of the core install (no extras): run by scripts/core_smoke.sh with the fresh venv's Python.

Simulates a small campaign, ingests it, and checks that stats, count, trend and search agree with the
simulator's ground truth; then that the features whose extras are missing (classify, serve) exit 2
with one line naming the extra. Prints one line per check and ``core smoke: N passed, 0 failed``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

EXTRAS = {"scipy": "classify", "sklearn": "classify", "fastapi": "web", "uvicorn": "web", "onnxruntime": "accurate"}
TAGSCOPE = [sys.executable, "-m", "tagscope"]
PASSED: list[str] = []


def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    # Wide enough that Rich does not wrap a message: the checks count the lines of a message.
    env = {**os.environ, "COLUMNS": "250"}
    done = subprocess.run([*TAGSCOPE, *args], capture_output=True, text=True, timeout=600, env=env)
    if done.returncode != code:
        sys.exit(f"tagscope {' '.join(args)} exited {done.returncode} (wanted {code}):\n{done.stdout}\n{done.stderr}")
    return done


def data(*args: str) -> dict:
    return json.loads(run(*args, "--json").stdout)


def check(what: str, got: object, want: object) -> None:
    if got != want:
        sys.exit(f"FAILED {what}: got {got!r}, want {want!r}")
    PASSED.append(what)
    print(f"ok  {what}")


def main(work: Path) -> int:
    present = sorted(m for m in EXTRAS if importlib.util.find_spec(m) is not None)
    check("no extra installed", present, [])
    camp, store = work / "campaign", ["--store", str(work / "store")]
    data("simulate", "--out", str(camp), "--posts", "3000")
    truth = json.loads((camp / "truth.json").read_text())
    summary = data("ingest", *store, str(camp / "campaign-v1.jsonl"), str(camp / "campaign-v2.jsonl"))
    check("ingest: every post of the truth", summary["ingested"], truth["posts"])
    stats = data("stats", *store)
    check("stats: posts, authors, deleted", (stats["posts"], stats["authors"], stats["deleted"]),
          (truth["posts"], truth["authors"], truth["deleted"]))
    tag = truth["main_tag"]
    check(f"count {tag}", data("count", tag, *store)["count"], truth["hashtags"][tag])
    series = data("trend", tag, "--every", "day", *store)["series"]
    check(f"trend {tag} per day", {r["bucket"][:10]: r["count"] for r in series if r["count"]},
          truth["main_tag_per_day"])
    check(f"search #{tag}", data("search", f"#{tag}", *store)["total"], truth["hashtags"][tag])
    phrase = truth["phrase"]
    check(f'search "{phrase["text"]}"', data("search", f'"{phrase["text"]}"', *store)["total"], phrase["posts"])
    for command, extra in ((["classify"], "classify"), (["serve"], "web")):
        done = run(*command, *store, code=2)
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        check(f"tagscope {command[0]} without its extra: one line naming it",
              (len(lines), f"tagscope[{extra}]" in "".join(lines)), (1, True))
    print(f"core smoke: {len(PASSED)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
