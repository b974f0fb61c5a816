# Kruzhok: `make run` serves the site, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

# Some machines set PYTHONDONTWRITEBYTECODE: every manage.py the tests start would then compile
# the project afresh (1.3 s each). __pycache__ is ignored by git.
unexport PYTHONDONTWRITEBYTECODE

# A Python >= 3.12: PYTHON if given, else python3.12 / python3 on PATH, else pyenv's 3.12+, else 3.13+.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for c in python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3 2>/dev/null | sort -rV) \
	python3.13 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)
endif

.PHONY: run test lint types pytest-sqlite pytest-postgres venv deps node browser migrate demo clean

$(VENV)/.deps: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Kruzhok needs Python 3.12 or newer and none was found."; \
	  echo "Install it (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; or pyenv install 3.12)"; \
	  echo "or name one: make run PYTHON=/path/to/python3.12"; exit 1; fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.deps: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(VENV)/.deps node_modules/.deps

migrate: deps
	$(PY) manage.py migrate --noinput

# The demo catalog is loaded once: seed_demo does nothing when activities already exist. The
# /data/ downloads are written afresh (a second or two), as production's daily cron does.
demo: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py rebuild_search_index --if-missing
	$(PY) manage.py export_open_data -v 0

# The traffic and search roll-up runs hourly from cron in production (README «Traffic and search
# counting»); here once at start, so the dashboard shows what the last session browsed.
run: demo
	$(PY) manage.py aggregate_analytics -v 0
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# bandit warns about a `# nosec` on a multi-line statement for every part of it that passes the
# check; those lines say nothing and are dropped (the exit status is bandit's, by pipefail).
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	set -o pipefail; $(VENV)/bin/bandit -c pyproject.toml -q -r kruzhok bench scripts 2>&1 | sed '/nosec encountered/d'

types: deps
	$(VENV)/bin/mypy

pytest-sqlite: deps browser
	@echo "== pytest on SQLite =="
	$(VENV)/bin/pytest --one-width-per-database -n 2

pytest-postgres: deps browser
	@scripts/ensure-postgres
	@echo "== pytest on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest --database-tests-only --one-width-per-database -n 2

# The two databases' runs go side by side (each prints its report when it ends), each in two
# pytest-xdist workers, so neither leaves a core idle when the other ends first. What does not
# depend on the database runs once: the PostgreSQL run takes only the tests that use it, and each
# browser test runs at one width per database (README «Set-up»).
test: lint types
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest-sqlite pytest-postgres

clean:
	rm -rf $(VENV) node_modules staticfiles .mypy_cache .ruff_cache .pytest_cache
