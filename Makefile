# The two commands a newcomer needs: `make site` and `make test`.
# Each installs what it needs: a virtual environment, the package, and for the
# browser tests Debian's chromium (apt-get; sudo when not root).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site serve test lint check bench chromium audit clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --editable '.[test]'
	touch $@

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

# Lighthouse (pinned in tests/audit/package-lock.json) for the page-quality tests.
tests/audit/node_modules/.installed: tests/audit/package.json tests/audit/package-lock.json
	npm ci --prefix tests/audit --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/ruff format --check generator tests
	$(VENV)/bin/mypy

test: $(VENV)/.installed-test chromium tests/audit/node_modules/.installed lint
	$(PY) -m pytest

# Only the Lighthouse scores of the home, a rule, a checklist and the FAQ page.
audit: $(VENV)/.installed-test chromium tests/audit/node_modules/.installed
	$(PY) -m pytest -m audit

bench: $(VENV)/.installed
	$(PY) tests/bench/bench.py

clean:
	rm -rf site .triagebook .pytest_cache .mypy_cache .ruff_cache
