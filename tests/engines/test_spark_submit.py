"""The ingest job docs/spark.md tells users to submit, run as written through `spark-submit`: the
module's own file could not be submitted (its relative imports fail as a script, and its folder on the
path would shadow `duckdb`), which only running the documented command shows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sparkcheck import needs_spark
from tagscope.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "twitter-v1.1" / "python-twitter_streaming_lines.jsonl"


def documented_job() -> str:
    """The ingest job file as docs/spark.md writes it (its heredoc, unindented)."""
    doc = (ROOT / "docs" / "spark.md").read_text(encoding="utf-8")
    found = re.search(r"cat > ingest_job\.py <<'EOF'\n(.*?)\n\s*EOF\n", doc, re.S)
    assert found, "docs/spark.md no longer shows the ingest job file"
    return "\n".join(line.strip() for line in found.group(1).splitlines()) + "\n"


@pytest.mark.slow
@needs_spark
def test_the_documented_ingest_job_runs_through_spark_submit(tmp_path: Path) -> None:
    job = tmp_path / "ingest_job.py"
    job.write_text(documented_job(), encoding="utf-8")
    submit = Path(sys.executable).parent / "spark-submit"
    assert submit.exists(), "pyspark installs spark-submit beside the interpreter"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    out = subprocess.run([str(submit), "--master", "local[1]", str(job), "--store", str(tmp_path / "spark"), str(SAMPLE)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    with Store(tmp_path / "local") as local:
        local.ingest([str(SAMPLE)])
        want = local.stats()
    with Store(tmp_path / "spark") as sparked:
        got = sparked.stats()
    assert counts["posts"] == got["posts"] == want["posts"] > 0
    assert got["platforms"] == want["platforms"] and got["authors"] == want["authors"]
