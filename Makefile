PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench

# Stamp files make the venv rebuild only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/parity-audit sample_repos/python_sdk sample_repos/elixir_sdk --fail-on never

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

# Run by hand (takes minutes); the output is committed as bench/RESULTS.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py --output bench/RESULTS.md
