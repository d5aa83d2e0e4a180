# Keepline: `make run` serves the demo city, `make test` runs every check.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
KEEPLINE := $(BIN)/keepline
STAMP := $(VENV)/.installed-stamp
ASSETS := src/keepline/static/vendor/.built
PO := src/keepline/locale/zh_Hans/LC_MESSAGES/django.po
PG_URL ?= postgres://postgres@127.0.0.1:5432/keepline
PYTEST_ARGS ?=

.PHONY: run test lint test-pg e2e bench install system assets messages clean

run: install assets messages
	$(KEEPLINE) demo

# gettext compiles the translations; apt-get is used only where it is missing.
system:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)

install: system $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: $(ASSETS)
$(ASSETS): package.json package-lock.json scripts/build-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

# Compiled translations are built, not committed.
messages: install
	cd src/keepline && ../../$(KEEPLINE) compilemessages -v 0

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(KEEPLINE) makemigrations --check --dry-run
	cd src/keepline && ../../$(KEEPLINE) makemessages -l zh_Hans --no-obsolete --no-location -v 0
	@msgfmt --statistics -o /dev/null $(PO) 2>&1 | tee /dev/stderr | grep -vqE 'untranslated|fuzzy' \
	  || (echo "$(PO) has untranslated or fuzzy strings"; exit 1)

# Off CI the test database is kept between runs (tests/conftest.py puts SQLite's in var/);
# CI (CI=true) builds a fresh one.
REUSE_DB := $(if $(CI),,--reuse-db)

test: lint assets messages
	$(BIN)/pytest -m "not e2e" $(REUSE_DB) $(PYTEST_ARGS)

test-pg: install assets messages
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not e2e" --create-db $(PYTEST_ARGS)

e2e: install assets messages
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

# On PostgreSQL: the benchmark creates this database and drops it afterwards.
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/keepline_bench
bench: install assets messages
	DATABASE_URL=$(BENCH_URL) $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules src/keepline/static/vendor var
