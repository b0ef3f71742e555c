#!/usr/bin/env bash
# Install what the dashboard's browser tests need: Debian's Chromium and chromedriver, and Selenium.
# Idempotent: does nothing when they are already there. Never downloads a browser from a CDN
# (Playwright/Selenium-manager downloads are not used: the tests point at /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "install-browser: run as root, or install chromium and chromium-driver with your package manager" >&2
            exit 1
        fi
    fi
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
    else
        echo "install-browser: no apt-get here; install chromium and chromedriver, or set TAGSCOPE_CHROMIUM/TAGSCOPE_CHROMEDRIVER" >&2
        exit 1
    fi
fi

PY="${PYTHON:-.venv/bin/python}"
if [ -x "$PY" ] && ! "$PY" -c "import selenium" >/dev/null 2>&1; then
    "$PY" -m pip install -q "selenium>=4.20"
fi
echo "install-browser: $(chromium --version 2>/dev/null | head -1); $(chromedriver --version 2>/dev/null | head -1)"
