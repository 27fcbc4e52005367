# SoundStream Analytics — developer entry points. `make` alone prints this help.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS_DIR := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS_DIR)/bin/uv)
# The real HetRec 2011 files; when absent, the import downloads or generates them.
HETREC_DIR ?= $(abspath ../shared/data/hetrec2011-lastfm-2k)
export SOUNDSTREAM_HETREC_DIR ?= $(if $(wildcard $(HETREC_DIR)/artists.dat),$(HETREC_DIR),)
PYTEST_ARGS ?=

.PHONY: help
help: ## Show this help
	@echo "SoundStream Analytics"
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@echo "uv not found: installing it from the package index into $(TOOLS_DIR)/"
	$(PYTHON) -m venv $(TOOLS_DIR)
	$(TOOLS_DIR)/bin/pip install --quiet --disable-pip-version-check uv

.PHONY: sync
sync: $(UV) ## Create/refresh the virtual environment from the lock file
	$(UV) sync --all-packages --frozen --compile-bytecode --quiet
	@# Byte-compile the workspace's own sources too: start-up stays fast even where the
	@# environment forbids writing bytecode at import time (PYTHONDONTWRITEBYTECODE).
	@$(UV) run --frozen python -m compileall -q -j 0 services sdk 2>/dev/null >/dev/null || true

.PHONY: dev
dev: sync ## Run the whole stack locally on SQLite, with the data loaded (Ctrl-C stops it)
	$(UV) run --frozen soundstream-admin dev

.PHONY: test
test: sync ## Run every test suite (SQLite and PostgreSQL)
	$(UV) run --frozen pytest $(PYTEST_ARGS)

.PHONY: lint
lint: sync ## ruff check, ruff format --check, mypy
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy services benchmarks sdk tests

.PHONY: fmt
fmt: sync ## Format and auto-fix
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

.PHONY: migrate
migrate: sync ## Upgrade every service database to the latest schema
	$(UV) run --frozen soundstream-admin migrate

.PHONY: import
import: sync ## Load the data set into every service database
	$(UV) run --frozen soundstream-admin import

.PHONY: bench
bench: sync ## Run the benchmarks and print their results
	$(UV) run --frozen python -m benchmarks.run_all

.PHONY: publish
publish: sync ## Build the SDK and upload it to PyPI (token in UV_PUBLISH_TOKEN; never in CI)
	@test -n "$$UV_PUBLISH_TOKEN" || { echo "Set UV_PUBLISH_TOKEN to a PyPI API token (pypi-...)"; exit 1; }
	rm -rf dist/sdk
	$(UV) build sdk --out-dir dist/sdk
	$(UV) run --frozen twine check --strict dist/sdk/*.whl dist/sdk/*.tar.gz
	$(UV) publish dist/sdk/*.whl dist/sdk/*.tar.gz

.PHONY: clean
clean: ## Remove local databases, logs and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
