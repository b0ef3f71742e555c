#!/usr/bin/env bash
# The core install alone, as `pip install tagscope` gives it: a fresh venv, `pip install .` without
# extras, then scripts/core_smoke.py (simulate -> ingest -> stats -> count -> trend -> search, and the
# one-line errors of the features whose extras are missing). CI runs it (`make core-smoke`).
#
# The native module is built only with SMOKE_NATIVE=1: without it the compiler is hidden, which is
# the install this checks (a machine without a C++ compiler) and spares CI the simdjson build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tagscope-core.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A copy of the tree, so the build leaves nothing in the checkout (build/, *.egg-info, a compiled .so).
tar -C "$root" --exclude=./.venv --exclude=./.git --exclude='*.so' --exclude=./demo --exclude=./bench/out \
    --exclude=__pycache__ -cf - . | (mkdir "$work/src" && tar -C "$work/src" -xf -)
"${PY:-python3}" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check --upgrade pip
if [ "${SMOKE_NATIVE:-0}" = 1 ]; then
    "$work/venv/bin/pip" install -q --disable-pip-version-check "$work/src"
else
    CC=false CXX=false "$work/venv/bin/pip" install -q --disable-pip-version-check "$work/src"
fi
cd "$work"  # not the checkout: `import tagscope` must find the installed package
"$work/venv/bin/python" "$root/scripts/core_smoke.py" "$work/run"
