# The three commands a user needs: run, test, bench.
# `make test PYTHON=python3.13` builds and uses .venv-3.13, so each Python keeps its own
# environment; without PYTHON, `python3` and .venv. VENV=dir overrides either.
PYTHON ?= python3
python_version = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifneq ($(filter command line environment,$(origin PYTHON)),)
PYTHON_GIVEN := $(PYTHON)
PYTHON_VERSION := $(call python_version,$(PYTHON))
ifeq ($(PYTHON_VERSION),)
# A pyenv shim runs only the versions pyenv has selected: take the interpreter behind it.
PYENV_ROOT ?= $(HOME)/.pyenv
override PYTHON := $(lastword $(wildcard $(PYENV_ROOT)/versions/$(patsubst python%,%,$(notdir $(PYTHON))).*/bin/$(notdir $(PYTHON))))
PYTHON_VERSION := $(if $(PYTHON),$(call python_version,$(PYTHON)))
endif
ifeq ($(PYTHON_VERSION),)
$(error PYTHON=$(PYTHON_GIVEN) does not run an interpreter; give one that does, e.g. PYTHON=/usr/bin/python3.12)
endif
VENV ?= .venv-$(PYTHON_VERSION)
else
VENV ?= .venv
endif
BIN := $(VENV)/bin
INDEX_DIR ?= var/index
# What `make run` indexes and serves: `make run CORPUS=../archive/_projects` for the archive.
CORPUS ?= corpus
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

# Incremental: with nothing changed it takes half a second; another CORPUS replaces the last.
# FOLLOW_SYMLINKS=1 follows symlinks pointing outside CORPUS too (skipped and reported otherwise).
# REBUILD=1 builds a fresh generation: what an index written in an older format needs.
FOLLOW_SYMLINKS ?=
REBUILD ?=
index: install
	$(BIN)/la2050-search index $(CORPUS) --index-dir $(INDEX_DIR) $(if $(filter 1 yes true,$(FOLLOW_SYMLINKS)),--follow-symlinks) $(if $(filter 1 yes true,$(REBUILD)),--rebuild)

run: install index
	$(BIN)/la2050-search serve --index-dir $(INDEX_DIR) --port $(PORT)

# mypy first ([tool.mypy] in pyproject.toml names the packages): a type error fails the run.
# The suite in two processes (pytest-xdist; an idle one takes tests from the other's queue).
test: install-test
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

$(VENV)/.bench-installed: pyproject.toml $(BIN)/la2050-search
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

bench: install-test $(VENV)/.bench-installed
	$(BIN)/python -m bench.run

bench-quick: install-test $(VENV)/.bench-installed
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf .venv .venv-3.* var build *.egg-info
