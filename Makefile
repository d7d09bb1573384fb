# The two commands a newcomer needs: `make site` and `make test`.
# Each installs what it needs: a virtual environment, the package, and for the
# browser tests Debian's chromium and for the host-configuration test Debian's nginx
# (apt-get; sudo when not root).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site serve test lint check bench chromium nginx audit clean lock

# Installs are reproducible: exact versions with hashes from requirements/*.txt (the lock),
# never whatever is newest today. Any change to the lock rebuilds the environment from
# scratch, so `pip freeze` always equals the lock. `make lock` upgrades on purpose.
LOCKS := requirements/bootstrap.txt requirements/site.txt requirements/test.txt
PIP   := $(PY) -m pip --quiet --disable-pip-version-check
$(VENV)/.installed: $(LOCKS) pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements/bootstrap.txt
	$(PIP) install --require-hashes -r requirements/site.txt
	$(PIP) install --no-deps --no-build-isolation --editable .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --require-hashes -r requirements/test.txt
	touch $@

# The lock is written by a pinned uv in its own environment, from the ranges in
# pyproject.toml. Existing pins are kept unless asked:
#   make lock UPGRADE=--upgrade                      every package to its newest allowed release
#   make lock UPGRADE="--upgrade-package jinja2"     one package
UV_VENV := .venv-lock
UV      := $(UV_VENV)/bin/uv
COMPILE := $(UV) pip compile --quiet --universal \
           --python-version 3.11 --generate-hashes $(UPGRADE)
$(UV): requirements/uv.txt
	rm -rf $(UV_VENV)
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --require-hashes -r requirements/uv.txt
	touch $@

lock: $(UV)
	$(COMPILE) pyproject.toml --extra test -o requirements/test.txt
	$(COMPILE) pyproject.toml -c requirements/test.txt -o requirements/site.txt
	$(COMPILE) requirements/bootstrap.in -o requirements/bootstrap.txt
	$(COMPILE) requirements/uv.in -o requirements/uv.txt
	@git diff --no-ext-diff -U0 -- requirements/ | grep -E '^[-+][A-Za-z0-9]' || echo "lock unchanged"

site: $(VENV)/.installed
	$(VENV)/bin/triagebook build

serve: $(VENV)/.installed
	$(VENV)/bin/triagebook serve

check: $(VENV)/.installed
	$(VENV)/bin/triagebook check

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx checks the generated nginx snippet (`nginx -t`) and serves the site through
# it; the tests start their own server on 127.0.0.1, never the system's.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "installing Debian's nginx for the host-configuration tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light >/dev/null; }

# Lighthouse (pinned in tests/audit/package-lock.json) for the page-quality tests.
tests/audit/node_modules/.installed: tests/audit/package.json tests/audit/package-lock.json
	npm ci --prefix tests/audit --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/ruff format --check generator tests
	$(VENV)/bin/mypy

test: $(VENV)/.installed-test chromium nginx tests/audit/node_modules/.installed lint
	$(PY) -m pytest

# Only the Lighthouse scores of every page type.
audit: $(VENV)/.installed-test chromium tests/audit/node_modules/.installed
	$(PY) -m pytest -m audit

bench: $(VENV)/.installed
	$(PY) tests/bench/bench.py

clean:
	rm -rf site .triagebook .pytest_cache .mypy_cache .ruff_cache $(UV_VENV)
