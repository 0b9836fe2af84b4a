# The three commands a user needs: run, test, bench.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX_DIR ?= var/index
PORT ?= 5000

.PHONY: run test bench bench-quick install install-test index clean

$(BIN)/la2050-search: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/la2050-search

$(VENV)/.test-installed: pyproject.toml $(BIN)/la2050-search
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install-test: $(VENV)/.test-installed

$(INDEX_DIR)/CURRENT: | $(BIN)/la2050-search
	$(BIN)/la2050-search index corpus --index-dir $(INDEX_DIR)

index: $(INDEX_DIR)/CURRENT

run: install index
	$(BIN)/la2050-search serve --index-dir $(INDEX_DIR) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -q

$(VENV)/.bench-installed: pyproject.toml $(BIN)/la2050-search
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

bench: install-test $(VENV)/.bench-installed
	$(BIN)/python -m bench.run

bench-quick: install-test $(VENV)/.bench-installed
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) var build *.egg-info
