# The two commands of the README:
#   make demo   sets up .venv, migrates, loads units, frameworks and the demo data, serves on 127.0.0.1:8000
#   make test   sets up .venv (and Debian's chromium for browser tests) and runs every check and test
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
# Run in chiso/; tests/core/test_catalogue.py runs the same into a temporary copy.
MAKEMESSAGES_OPTIONS := --locale=vi --no-obsolete --add-location=file

.PHONY: demo serve test test-pg lint bench rush rush-short messages merge-parts

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
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The suite runs on every core (pytest-xdist), a test file per worker at a time: a file's
# module fixtures (the demo, a cluster) are built once. PARALLEL= runs it in one process.
PARALLEL ?= -n auto --dist loadfile
test: $(VENV)/.installed
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-debian.sh msgfmt gettext "the translation check"
	$(MAKE) lint
	$(VENV)/bin/pytest $(PARALLEL)

# The same suite against PostgreSQL (DATABASE_URL must point at a server), less what
# never touches it: the deploy and fault tests make databases (and a cluster) of their own
# whatever DATABASE_URL says, the engine and the fuzzed readers are pure; `make test` ran
# them all.
test-pg: $(VENV)/.installed
	$(VENV)/bin/pytest $(PARALLEL) -m "not deploy" --ignore=tests/engine --ignore=tests/fuzz --ignore=tests/faults

bench: $(VENV)/.installed
	$(PY) benchmarks/scoring.py
	$(PY) benchmarks/entry_page.py
	$(PY) benchmarks/save.py
	$(PY) benchmarks/login.py
	$(MAKE) rush-short
	$(PY) benchmarks/import_excel.py
	$(PY) benchmarks/results.py
	$(PY) benchmarks/dashboard.py
	$(PY) benchmarks/pdf.py
	$(PY) benchmarks/analysis.py
	$(PY) benchmarks/api.py

# The November rush (loadtest/rush.py): 166 officers saving and 50 readers for 60 s
# against `chiso serve` with 2 workers, PostgreSQL (RUSH_DATABASE_URL, a database of its
# own: the demo is built in it) and Redis; rush-short is the CI's 10 s with 20 + 5.
RUSH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chiso_rush
rush: $(VENV)/.installed
	$(PY) loadtest/rush.py --database-url $(RUSH_DATABASE_URL)

rush-short: $(VENV)/.installed
	$(PY) loadtest/rush.py --database-url $(RUSH_DATABASE_URL) --seconds 10 --officers 20 --readers 5

# The Vietnamese catalogue: collect the strings of chiso's code and templates into
# chiso/locale/vi/LC_MESSAGES/django.po (makemessages keeps the translations there and
# marks new strings for translating), then compile django.mo. Both files are committed.
# `make test` fails while a string is untranslated or fuzzy (tests/core/test_catalogue.py).
messages: $(VENV)/.installed
	bash scripts/ensure-debian.sh msgfmt gettext "the translation catalogue"
	cd chiso && ../$(PY) ../manage.py makemessages $(MAKEMESSAGES_OPTIONS)
	cd chiso && ../$(PY) ../manage.py compilemessages --locale=vi

# After merging a branch that still wrote chiso/locale/vi/parts/<branch>.po: fold it in.
merge-parts: $(VENV)/.installed
	bash scripts/merge_parts.sh
