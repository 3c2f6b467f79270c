# jixiao — make help lists the targets. Everything runs inside .venv, created on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint docs bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install jixiao with its dev tools

demo: $(STAMP) ## ingest the bundled sample, print a summary, validate it, answer a query
	$(BIN)/jixiao demo

test: $(STAMP) ## lint, then the whole test suite (what CI runs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(STAMP) ## generate ontology HTML docs, the Python namespace module and the query page's prefixes
	$(BIN)/python -m jixiao.docs
	$(BIN)/python -m jixiao.pagekit

bench: $(STAMP) ## run the benchmarks (results in BENCHMARKS.md)
	$(BIN)/python -m bench.run

clean: ## remove build output (keeps .venv)
	rm -rf build dist *.egg-info .pytest_cache out
