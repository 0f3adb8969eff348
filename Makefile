# The two set-up commands of the README: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-all lint typecheck pytest pytest-all browser migrate clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "IntoWork needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@ $(VENV)/.installed-run

## Install, migrate and serve on embedded defaults (SQLite, in-process cache) at 127.0.0.1:8000.
run: $(VENV)/.installed-run
	$(BIN)/intowork serve

migrate: $(VENV)/.installed-run
	$(BIN)/intowork migrate

## Install with the dev extras, lint, type-check and run the test suite (under 10 minutes; the
## long reliability checks marked `slow` are left to test-all).
test: lint typecheck pytest

## Everything, the slow reliability checks too: schemathesis, fault injection, the 5-minute soaks.
test-all: lint typecheck pytest-all

# lint-imports: the layering contracts of pyproject.toml, on this checkout's src (PYTHONPATH), not on
# whichever tree the venv's editable install points at.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench
	PYTHONPATH=src $(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# One pytest worker per core (pytest-xdist); each worker has its own databases.
pytest: $(VENV)/.installed-dev browser
	$(BIN)/pytest -m "not slow" -n auto

# The slow checks measure latency and memory: they run alone, after the rest.
pytest-all: pytest
	$(BIN)/pytest -m slow

## Debian's chromium for the real-browser CORS test (Playwright drives it; no browser download).
## Installed when missing and apt-get is usable as root; otherwise that test skips, saying why.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser test..."; \
		( export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium >/dev/null ) \
			|| echo "make: could not install chromium; the browser test will skip"; \
	else \
		echo "make: $(CHROMIUM) is missing and apt-get is not usable as root;" \
			"the browser test will skip (install Debian's chromium to run it)"; \
	fi

## Benchmarks (bench/run.py, docs/performance.md): issue 18's dataset (2,000 jobs, 10,442
## applications, 974 received by employer1's company; SIZE=... for another job count) on ENGINE
## (sqlite, or postgresql: DATABASE_URL or a scratch database on 127.0.0.1, Redis db 14), every
## endpoint as a share of floors measured in the same run. SCALE=1: the scale series (1k/10k/100k
## jobs). QUICK=1: a smoke run (1 s per run), marked as such. The server runs with
## RATE_LIMIT_ENABLED=false. wrk from Debian when apt-get is usable as root.
ENGINE ?= sqlite
bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		( export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq wrk >/dev/null ) \
			|| echo "make: could not install wrk; the bench falls back to an asyncio httpx client"; \
	else echo "make: wrk is missing; the bench falls back to an asyncio httpx client"; fi
	$(BIN)/python bench/run.py --engine $(ENGINE) --docs $(if $(SCALE),--scale) \
		$(if $(SIZE),--size $(SIZE)) $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
