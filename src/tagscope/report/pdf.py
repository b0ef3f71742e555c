"""`report --pdf`: print the HTML report to PDF with a locally installed Chromium, offline.

No PDF library is bundled: Chromium's own printer renders the report exactly as a browser shows it
(the report has print styles), and it is already the browser the dashboard is tested with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    env = os.environ.get("TAGSCOPE_CHROMIUM")
    if env and Path(env).exists():
        return env
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def html_to_pdf(html_file: Path, pdf_file: Path, *, timeout: float = 120) -> Path:
    """Write PDF_FILE from HTML_FILE; RuntimeError with what to do when it cannot."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("--pdf needs Chromium: install it (scripts/install-browser.sh) or set $TAGSCOPE_CHROMIUM")
    pdf_file = pdf_file.resolve()
    with tempfile.TemporaryDirectory(prefix="tagscope-pdf-") as profile:
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_file}", html_file.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not pdf_file.exists() or pdf_file.stat().st_size == 0:
        raise RuntimeError(f"Chromium could not print the PDF: {proc.stderr.decode(errors='replace')[-300:]}")
    return pdf_file
