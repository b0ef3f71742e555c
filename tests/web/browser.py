"""Start the Debian Chromium through Selenium with the flags that keep it offline and quiet.

Browser tests skip with the reason when Chromium is missing on a developer machine, and fail in CI
(``CI=true``) so they can never silently vanish there. ``scripts/install-browser.sh`` installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TAGSCOPE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = os.environ.get("TAGSCOPE_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1000", "--hide-scrollbars",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def require_browser() -> None:
    """Skip (locally) or fail (CI) when Chromium, chromedriver or Selenium is missing."""
    missing = [p for p in (CHROMIUM, DRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e .[web-test])")
    if missing:
        reason = f"browser tests need {', '.join(missing)}: run scripts/install-browser.sh"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)


def chrome(profile: Path):
    """A fresh headless Chromium with its own user-data-dir."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in [*FLAGS, f"--user-data-dir={profile}"]:
        opts.add_argument(f)
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)


def screenshot(driver, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/web/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(1280, 800)  # measure the page itself, not the last page's window
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
    driver.set_window_size(1280, max(800, int(height)))
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
