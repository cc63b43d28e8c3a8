# The two commands a new user needs: `make run` and `make test`. Everything else is here too.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The benchmark measures against PostgreSQL COPY, so it needs a PostgreSQL server.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pledges_bench
# manage.py, WSGI and Celery default to the production settings; the laptop targets say so.
# (Not for `make test`: pytest.ini names the test settings, and this variable would win.)
setup run: export DJANGO_SETTINGS_MODULE = config.settings.local
# The pages' absolute links (feeds, calendar, e-mails) name the address `make run` serves.
run: export PLEDGES_SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test check bench bench-web bench-sweep bench-history setup install clean

$(INSTALLED): requirements.txt requirements-fonts.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-fonts.txt
	@touch $@

install: $(INSTALLED)

setup: $(INSTALLED)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_site

# The web server, plus a Celery worker with beat embedded (one process is enough on a laptop) on
# the filesystem broker under var/celery/. The worker's log is var/celery.log; e-mails land in
# var/mail/ unless EMAIL_HOST is set. Ctrl-C stops both.
run: setup
	@mkdir -p var/mail
	@$(VENV)/bin/celery -A config worker --beat --pool solo --loglevel INFO --logfile var/celery.log \
		--schedule var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker and beat started (log: var/celery.log)"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# PYTEST_ARGS narrows a run, e.g. make test PYTEST_ARGS='-m "not browser"'.
test: $(INSTALLED)
	$(PY) -m pytest $(PYTEST_ARGS)

# Lint, format and types: ruff and mypy (with django-stubs); settings in pyproject.toml. And no
# model change without its migration.
check: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

bench: $(INSTALLED)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test $(PY) bench/pledge_io.py

# The public site and the sweep at scale (PostgreSQL, Redis; wrk, Debian's, as the load generator):
# 10,000 and 1,000,000 pledges by default (BENCH_SIZES=10000,1000000). See bench/RESULTS.md.
bench-web: $(INSTALLED)
	@command -v wrk >/dev/null || { echo "== installing wrk (Debian's package)"; apt-get update -qq && apt-get install -y -qq wrk; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/scale.py web

bench-sweep: $(INSTALLED)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/scale.py sweep

# Bulk audit history: the project's writer against simple-history's bulk_history_create.
bench-history: $(INSTALLED)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/history_writes.py

clean:
	rm -rf $(VENV) var .pytest_cache
