# onefunnel — every target bootstraps itself on a machine with only python3, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv lives in its own small venv so `uv sync` (which removes unlocked packages) never removes itself.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.synced-stamp
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install browser demo test lint format bench clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Locked install: --locked fails instead of silently resolving new versions if uv.lock is stale.
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	@touch $(STAMP)

demo: install
	$(BIN)/onefunnel demo

# Browser tests drive Debian's chromium; install it when we may (root with apt), else they skip with a reason.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: browser tests will be skipped"; \
	else echo "chromium not installed and no root apt-get: browser tests will be skipped"; fi

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
