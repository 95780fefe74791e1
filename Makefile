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

.PHONY: install system-packages browser demo test test-scale lint format bench clean

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

# Tests start real servers from Debian's packages (chromium for the browser tests, PostgreSQL for the
# Airflow metadata and the dbt Postgres target, Redis for Celery). Install what is missing when we may
# (root with apt); otherwise the tests that need it skip and name the package.
SYSTEM_PACKAGES := chromium postgresql redis-server
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
		|| echo "could not install$$missing: tests that need them will be skipped"; \
	else echo "not installed and no root apt-get:$$missing; tests that need them will be skipped"; fi

# Kept for muscle memory: the old name of the target above.
browser: system-packages

# Every test, on two workers (the machine has two cores). Each top-level test folder goes to one worker
# (tests/conftest.py), so the session fixtures that build a pipeline are built once. `-m` overrides the
# default `not scale` of pyproject.toml: make test runs the scale tests too.
test: install system-packages
	$(BIN)/python -m pytest -n 2 -m "scale or not scale"

# Only the deployment and scale-out tests (several real servers each).
test-scale: install system-packages
	$(BIN)/python -m pytest -m scale

# Python (ruff) and both compose files against the compose-spec schema check-jsonschema vendors (offline).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml docker-compose.celery.yml

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
