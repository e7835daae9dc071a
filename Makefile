# Everyday commands. `make demo` runs the app on SQLite; `make test` runs every check CI runs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
PYTEST_ARGS ?=
# Several checkouts can test side by side on one machine: each names its own database and Redis
# databases (make test TEST_DB=consultation_b REDIS_BROKER_DB=2 REDIS_CACHE_DB=3).
TEST_DB ?= consultation
REDIS_BROKER_DB ?= 0
REDIS_CACHE_DB ?= 1
REDIS_PORT ?= 6379

VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
# Stamps record that pyproject.toml was installed; pip runs again only when pyproject.toml is newer.
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

# The demo: SQLite, eager Celery, console e-mail, even if the calling shell sets DATABASE_URL etc.
DEMO_UNSET := DATABASE_URL CELERY_BROKER_URL CELERY_TASK_ALWAYS_EAGER CACHE_URL EMAIL_URL HTTPS
QUESTIONNAIRE := fixtures/questionnaires/migration-2026.yaml
DEMO_ENV := env $(foreach name,$(DEMO_UNSET),-u $(name) -u $(name)_FILE) \
	DEBUG=true SITE_URL=http://127.0.0.1:$(PORT)

# The tests: PostgreSQL and Redis on 127.0.0.1, production-like settings. DJANGO_ALLOW_ASYNC_UNSAFE
# is removed here on purpose: only the browser tests' conftest may set it.
TEST_ENV := env -u DJANGO_ALLOW_ASYNC_UNSAFE -u SECRET_KEY_FILE -u DATABASE_URL_FILE -u EMAIL_URL \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	CELERY_BROKER_URL=redis://127.0.0.1:$(REDIS_PORT)/$(REDIS_BROKER_DB) \
	CELERY_TASK_ALWAYS_EAGER=true \
	CACHE_URL=redis://127.0.0.1:$(REDIS_PORT)/$(REDIS_CACHE_DB) \
	SECRET_KEY=test-only-secret-key-not-for-production-5f0c2a9e7d41b8c3e6a1f9d2b7c4e8a0 \
	DEBUG=false \
	HTTPS=false \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver

# Development processes: a local Redis as broker, the demo's SQLite unless DATABASE_URL is set.
DEV_ENV := env DEBUG=$${DEBUG:-true} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}

.PHONY: help demo test lint format bench worker beat services

help:
	@echo "make demo     run the demo on http://127.0.0.1:$(PORT)/ (SQLite, no other service)"
	@echo "make test     lint, then the whole test suite on PostgreSQL and Redis (as CI does)"
	@echo "make lint     ruff check, ruff format --check, lint-imports (import contracts) and mypy"
	@echo "make format   ruff format"
	@echo "make bench    the benchmarks (bench/)"
	@echo "make worker   a Celery worker, for development"
	@echo "make beat     Celery beat, for development"

$(PYTHON):
	@if command -v python3.11 >/dev/null 2>&1; then python3.11 -m venv $(VENV); \
	else echo "python3.11 not found, using python3"; python3 -m venv $(VENV); fi \
	|| { echo "Could not create $(VENV): install python3.11 and python3.11-venv (or python3-venv)." >&2; \
	rm -rf $(VENV); exit 1; }

$(INSTALLED): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e .
	@touch $@

# Installing the dev extras installs the base too, so both stamps are renewed.
$(INSTALLED_DEV): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED) $@

# Debian's chromium, for the browser tests (no Playwright browser download).
/usr/bin/chromium:
	@echo "Installing Debian's chromium for the browser tests"
	@if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y -qq chromium || { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium; } \
	|| { echo "Could not install chromium. Install it with: sudo apt-get install -y chromium" >&2; exit 1; }

# Debian's LibreOffice Calc without its GUI, for the tests of workbooks saved by LibreOffice.
/usr/bin/soffice:
	@echo "Installing Debian's LibreOffice Calc (no GUI) for the workbook tests"
	@if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	packages="libreoffice-calc-nogui"; \
	$$sudo apt-get install -y -qq --no-install-recommends $$packages \
	|| { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends $$packages; } \
	|| { echo "Could not install LibreOffice. Install it with: sudo apt-get install -y libreoffice-calc-nogui" >&2; exit 1; }

services:
	@TEST_DB=$(TEST_DB) bash scripts/ensure-services.sh

demo: $(INSTALLED)
	@echo "== manage.py migrate"
	@$(DEMO_ENV) $(MANAGE) migrate --noinput
	@echo "== manage.py load_areas"
	@$(DEMO_ENV) $(MANAGE) load_areas
	@echo "== manage.py load_questionnaire $(QUESTIONNAIRE) --round 2026"
	@$(DEMO_ENV) $(MANAGE) load_questionnaire $(QUESTIONNAIRE) --round 2026
	@echo "== manage.py load_demo"
	@$(DEMO_ENV) $(MANAGE) load_demo
	@echo "== manage.py load_review_demo"
	@$(DEMO_ENV) $(MANAGE) load_review_demo
	@echo
	@echo "The demo runs at http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	@echo
	@$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# --create-db: CI always builds the schema from the migrations, whatever --reuse-db kept.
# collectstatic: with DEBUG off, {% static %} needs the manifest it writes.
test: $(INSTALLED_DEV) /usr/bin/chromium /usr/bin/soffice services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)
	$(TEST_ENV) $(VENV)/bin/mypy

# mypy last in `make test`, so that a type error never hides a failing test.
lint: $(INSTALLED_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(VENV)/bin/mypy

format: $(INSTALLED_DEV)
	$(VENV)/bin/ruff format .

bench: $(INSTALLED_DEV) services
	$(TEST_ENV) $(PYTHON) -m bench.render_section
	$(TEST_ENV) $(PYTHON) -m bench.autosave --mode both
	$(TEST_ENV) $(PYTHON) -m bench.export --countries 200
	$(TEST_ENV) $(PYTHON) -m bench.dashboard --countries 200
	$(TEST_ENV) $(PYTHON) -m bench.consolidate

worker: $(INSTALLED)
	$(DEV_ENV) $(VENV)/bin/celery -A config worker --loglevel=INFO

beat: $(INSTALLED)
	$(DEV_ENV) $(VENV)/bin/celery -A config beat --loglevel=INFO --schedule $(VENV)/celerybeat-schedule
