# 复工通 Fugong. `make run` serves the demo district; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format install system-deps messages bench clean

run: $(STAMP)
	$(BIN)/fugong run

test: $(STAMP) system-deps
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format fugong bench
	$(BIN)/ruff check --fix .

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python 3.11 或更新版本（当前：$$($(PYTHON) --version)）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Debian packages the browser tests need (Chromium and CJK fonts); installed only when missing.
system-deps:
	@scripts/install-system-deps

messages: $(STAMP)
	cd fugong && ../$(BIN)/fugong makemessages -l en --no-obsolete && ../$(BIN)/fugong compilemessages -l en

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/import_enterprises.py
	$(BIN)/python bench/dashboard_asof.py
	$(BIN)/python bench/requests_figures.py
	$(BIN)/python bench/shuttle_plan.py
	$(BIN)/python bench/policy_match.py
	FUGONG_VAR_DIR=$$(mktemp -d) $(BIN)/python bench/register_pages.py || true
	$(BIN)/python bench/load/run.py
	$(BIN)/python bench/faults/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
