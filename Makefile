# Every target sets up .venv in the repository first; `make demo` and `make test`
# are the two commands a new user needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: setup demo test lint typecheck bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/tipwatch demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ruff check .

typecheck: setup
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m mypy

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache tipwatch-demo.duckdb*
