# Two commands for a newcomer: `make run` (the app on http://127.0.0.1:8000, nothing else
# needed) and `make test` (the whole suite; SQLite unless DATABASE_URL/REDIS_URL are set).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format worker beat migrations-check lock clean

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_policy policies/*.yaml
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# One pass on pytest-xdist's workers, each with its own test database, live server and
# browser. The tests that mostly wait (browsers, real workers, servers: the `serial` marker)
# are handed out first, a test or two at a time, so the CPU-bound rest runs beside them; one
# worker more than the cores keeps both busy while a browser waits. A run that selects no
# test (exit 5) fails, as any other failure does. The 15 slowest tests are listed at the end,
# so a run's log says where its time went.
XDIST ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install
	@$(PY) -m pytest -n $(XDIST) --maxschedchunk 2 --durations=15 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A priorauth worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A priorauth beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Re-resolve the pins from pyproject.toml's ranges in a throwaway environment.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > var/lock-in.txt
	var/lock-venv/bin/pip install --quiet -r var/lock-in.txt
	{ echo "# Exact versions tested together (Python 3.11). Regenerate with 'make lock'."; var/lock-venv/bin/pip freeze; } > requirements.lock
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) var/static var/test-db.sqlite3*
