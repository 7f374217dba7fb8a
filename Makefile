# The two promises of the README: `make demo` and `make test` work on a fresh machine with only
# Python >= 3.11. `make install` is idempotent: it rebuilds .venv only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-lowest lint demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest

# The tests again on the lowest versions pyproject.toml allows, in a venv of their own: proves
# its floors. pip cannot resolve to lowest versions, so each direct dependency is pinned to its
# floor by a constraints file (CI runs this; linters need not run twice).
LOWEST := .venv-lowest
LOWEST_STAMP := $(LOWEST)/.installed

test-lowest: $(LOWEST_STAMP)
	$(LOWEST)/bin/python -m pytest

$(LOWEST_STAMP): pyproject.toml .ci/lowest_constraints.py
	test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(LOWEST)/bin/python .ci/lowest_constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -c $(LOWEST)/constraints.txt -e '.[test]'
	touch $(LOWEST_STAMP)

# The example campaign on the web chat, with an embedded Redis under ./var (kept between runs).
# Its French, Arabic and Swahili are machine-drafted: the demo accepts them, and says so.
demo: install
	$(BIN)/sauti campaign load dialogues/examples/safe_connect.yaml --open --accept-machine-drafted
	$(BIN)/sauti run

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/embedded_redis.py
	$(BIN)/python bench/telegram_send.py --quick
	$(BIN)/python bench/versus_aiogram.py --quick

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .mypy_cache .ruff_cache
