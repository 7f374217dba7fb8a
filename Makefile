# The two promises of the README: `make demo` and `make test` work on a fresh machine with only
# Python >= 3.11. `make install` is idempotent: it rebuilds .venv only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench clean

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

# The example campaign on the web chat, with an embedded Redis under ./var (kept between runs).
demo: install
	$(BIN)/sauti campaign load dialogues/examples/safe_connect.yaml --open
	$(BIN)/sauti run

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/embedded_redis.py
	$(BIN)/python bench/telegram_send.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
