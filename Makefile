# Targets used by the README quickstart and by CI (.ci/run calls `make test`).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= demo/store

.PHONY: setup demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e ".[all,dev]"

demo: setup
	$(BIN)/tagscope simulate --out demo/campaign --posts $${DEMO_POSTS:-200000}
	$(BIN)/tagscope ingest --store $(STORE) demo/campaign
	$(BIN)/tagscope stats --store $(STORE)

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests bench

clean:
	rm -rf demo .pytest_cache
