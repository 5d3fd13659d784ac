# Two commands do all set-up on a fresh machine (Python 3.11 and make):
#   make all    build the graph, validate it, write the exports into output/
#   make test   lint (ruff), type-check (mypy), run the test suite (CI runs it through .ci/run)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all build test clean

all: build

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/nmdkg build --out output
	$(BIN)/nmdkg export --format kgx --out output
	$(BIN)/nmdkg analyze --data output --out output/analysis

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf output
