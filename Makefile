# The two commands of the README:
#   make demo   sets up .venv, migrates, loads units, frameworks and the demo data, serves on 127.0.0.1:8000
#   make test   sets up .venv (and Debian's chromium for browser tests) and runs every check and test
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo serve test test-pg lint bench messages

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "chiso needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev,units-source]"
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/chiso demo
	$(VENV)/bin/chiso serve

serve: $(VENV)/.installed
	$(VENV)/bin/chiso serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.installed
	bash scripts/ensure-chromium.sh
	$(MAKE) lint
	$(VENV)/bin/pytest

# The same suite against PostgreSQL (DATABASE_URL must point at a server).
test-pg: $(VENV)/.installed
	$(VENV)/bin/pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/scoring.py
	$(PY) benchmarks/entry_page.py
	$(PY) benchmarks/import_excel.py
	$(PY) benchmarks/pdf.py

# Rebuild the Vietnamese catalogue from its parts and compile it.
messages: $(VENV)/.installed
	$(PY) scripts/build_messages.py
