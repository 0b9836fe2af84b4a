# The three commands a user needs: run, test, bench.
# `make test PYTHON=python3.13` builds and uses .venv-3.13, so each Python keeps its own
# environment; without PYTHON, `python3` and .venv. VENV=dir overrides either.
PYTHON ?= python3
ifneq ($(filter command line environment,$(origin PYTHON)),)
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PYTHON_VERSION),)
$(error PYTHON=$(PYTHON) does not run; give a working interpreter, e.g. PYTHON=/usr/bin/python3.12)
endif
VENV ?= .venv-$(PYTHON_VERSION)
else
VENV ?= .venv
endif
BIN := $(VENV)/bin
INDEX_DIR ?= var/index
PORT ?= 5000

.PHONY: run test bench bench-quick install install-test index clean

# The venv's own pip, not upgraded: the dependencies must resolve with the pip a Python ships.
$(BIN)/la2050-search: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

install: $(BIN)/la2050-search

$(VENV)/.test-installed: pyproject.toml $(BIN)/la2050-search
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install-test: $(VENV)/.test-installed

$(INDEX_DIR)/CURRENT: | $(BIN)/la2050-search
	$(BIN)/la2050-search index corpus --index-dir $(INDEX_DIR)

index: $(INDEX_DIR)/CURRENT

run: install index
	$(BIN)/la2050-search serve --index-dir $(INDEX_DIR) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -q

bench: install-test
	$(BIN)/python -m bench.run

bench-quick: install-test
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf .venv .venv-3.* var build *.egg-info
