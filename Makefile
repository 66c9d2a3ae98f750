# Buy_From_Me. `make run` serves the demo shop; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
BLOCKING_THREADS ?= 2

.PHONY: run test install install-dev lint audit serve bench clean

$(VENV)/.runtime: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## run: migrate, load the demo data once, serve with granian at http://$(HOST):$(PORT), and run
## the outbox worker (order e-mails) beside it
run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	$(PY) scripts/port_free.py $(HOST) $(PORT)
	@echo "Serving Buy_From_Me at http://$(HOST):$(PORT)/ ($(WORKERS) workers + the outbox worker; Ctrl-C stops)"
	rm -rf var/prometheus && mkdir -p var/prometheus
	$(PY) manage.py db_worker --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus $(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --blocking-threads $(BLOCKING_THREADS) --no-ws \
		--log-level warning config.wsgi:application

## test: the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: install-dev
	$(PY) -m pytest --ds=config.settings.test $(PYTEST_ARGS)

## serve: the production stack in the foreground: nginx :8080 -> granian :8000 (+ PostgreSQL/Redis when up)
serve: install
	$(PY) -m tooling.serve

## bench: seed 100k products, start the stack, measure with wrk; writes bench/results/latest.md
bench: install
	$(PY) -m bench.run

lint: install-dev
	$(VENV)/bin/ruff check .

## audit: static and dependency checks, once per CI run: ruff (with its security rules), bandit
## (no high-severity finding), import-linter (the layers of pyproject.toml), mypy with
## django-stubs, no model change without its migration, the size limits (no module in shop/
## over 400 lines, no function over 60, no module import cycle: scripts/codebase_metrics.py),
## pip-audit on constraints.txt (says loudly when it could not audit)
audit: lint
	$(VENV)/bin/bandit -q -r shop config -lll
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run -v1
	$(PY) scripts/codebase_metrics.py --check
	$(PY) -m tooling.audit_dependencies constraints.txt

clean:
	rm -rf var/staticfiles var/test-media test-artifacts
