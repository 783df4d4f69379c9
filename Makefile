# 季报: the two commands of the README, and a few more.
#   make run    set up and serve the application with demo data on http://127.0.0.1:$(PORT)
#   make test   install what the tests need (the browser included) and run the whole suite

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

.PHONY: run test test-pg lint system-packages migrate demo messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv

# uv installs the dependency set in seconds where pip takes half a minute.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(UV) pip install -q --python $(PY) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(UV) pip install -q --python $(PY) -e '.[test]'
	touch $@ $(VENV)/.installed-run

migrate: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

system-packages:
	bash scripts/system-packages.sh

# ruff first: a lint error fails in a second, before the browser and LibreOffice tests start.
test: $(VENV)/.installed-test system-packages
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n auto

# The same suite against a PostgreSQL 15 server started here.
test-pg: $(VENV)/.installed-test system-packages
	$(VENV)/bin/ruff check .
	DATABASE_URL=$$(bash scripts/start-postgres.sh) $(PY) -m pytest -n auto

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

messages: $(VENV)/.installed-run
	$(PY) manage.py makemessages -l en --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='staticfiles/*' --ignore='bench/*'
	$(PY) manage.py compilemessages --ignore='.venv/*' 

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache

# Benchmarks (docs/PERFORMANCE.md): generate the load data set into a temporary SQLite file, run
# the export and web benchmarks and the profiles, print one table. From a clean clone: it installs
# the `bench` extra first. A quicker, smaller run: BENCH_BODIES=60 BENCH_PHASE_SECONDS=8 make bench
.PHONY: bench
$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(UV) pip install -q --python $(PY) -e '.[bench]'
	touch $@ $(VENV)/.installed-run

bench: $(VENV)/.installed-bench
	$(PY) bench/run.py
