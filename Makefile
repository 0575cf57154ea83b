# xeroapp: the two commands a new machine needs are `make run` and `make test`.
# Needs only Python 3.11+ and make; everything else goes into .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# Reinstall only when a requirements file changed since the last successful install.
STAMP  := $(VENV)/.requirements-installed
REQS   := requirements.txt requirements-dev.txt

# The first of these that is Python 3.11 or newer creates the venv (override: make PYTHON=...).
PYTHON_CANDIDATES := python3.11 python3 python3.12 python3.13 python3.14
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do \
            command -v $$p >/dev/null 2>&1 && \
            $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && \
            { echo $$p; break; }; done)

PYTEST_ARGS ?=
SANDBOX_PORT ?= 5055

.PHONY: help run test install worker sandbox serve screenshots bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install  ## the whole stack: Redis, Xero sandbox :5055, RQ worker, web app :5000
	@$(PY) -m devstack

test: install  ## the whole test suite (PYTEST_ARGS=... to pass options)
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ -n "$(PYTEST_RC_FILE)" ]; then echo $$rc > "$(PYTEST_RC_FILE)"; fi; \
	exit $$rc

install: $(STAMP)  ## .venv with the pinned requirements (only when they changed)
	@:

worker: install  ## one more RQ worker (REDIS_URL, else the embedded Redis of a running `make run`)
	@$(PY) -m devstack worker

sandbox: install  ## the Xero sandbox alone, on 127.0.0.1:$SANDBOX_PORT (default 5055)
	@$(PY) -m xerosandbox --host 127.0.0.1 --port $(SANDBOX_PORT) --db instance/xerosandbox.db --control

serve: install  ## production web server: gunicorn with gunicorn.conf.py (PORT, WEB_CONCURRENCY)
	@$(VENV)/bin/gunicorn --config gunicorn.conf.py

screenshots: install  ## the browser tests, saving docs/screenshots/*.png (needs Chromium)
	@E2E_SCREENSHOTS=docs/screenshots $(PY) -m pytest -m e2e -p no:cacheprovider $(PYTEST_ARGS)

bench: install  ## the benchmarks in bench/ (a few minutes each); each ends with a name=value line
	@$(PY) -m bench.pages
	@$(PY) -m bench.chaos
	@$(PY) -m bench.backsync
	@$(PY) -m bench.tenants
	@$(PY) -m bench.worker_memory
	@if [ -f bench/push.py ]; then $(PY) -m bench.push; fi

clean:  ## remove .venv and caches (your data in instance/ is kept)
	@rm -rf $(VENV) .pytest_cache
	@find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
	@echo "Removed .venv and caches. Local data (database, Redis, sandbox state, secrets) stays in instance/."

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "make: Python 3.11 or newer is required, and none was found on PATH"; \
	  echo "      (looked for: $(PYTHON_CANDIDATES)). Install it, or run: make PYTHON=/path/to/python3.11 ..."; \
	  exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "make: $(PYTHON) is $$($(PYTHON) --version 2>&1); Python 3.11 or newer is required."; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)…"
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "make: '$(PYTHON) -m venv' failed. On Debian/Ubuntu install the venv module: apt install python3-venv"; \
	  rm -rf $(VENV); exit 1; }

$(STAMP): $(REQS) | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "make: $(VENV) uses $$($(PY) --version); 3.11+ is required. Run 'make clean' and try again."; \
	  exit 1; }
	@echo "Installing pinned requirements into $(VENV)…"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@
