"""Whether the Spark tests can run here (pyspark and a Java 17), and the skip marker they share."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

HAVE_SPARK = importlib.util.find_spec("pyspark") is not None and bool(shutil.which("java") or os.environ.get("JAVA_HOME"))
needs_spark = pytest.mark.skipif(not HAVE_SPARK, reason="spark engine: pyspark or Java 17 missing (CI installs both)")
