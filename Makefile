# The README's commands. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The embedded default for `make run`: SQLite, Celery eager, email to files under var/.
DEV_ENV := DEBUG=1

.PHONY: help install run test lint serve bench chaos clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

# Stamp files: reinstall only when the pinned requirements or the npm lock file change.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed ## Make .venv and install pinned Python and npm packages

run: install ## Set up and serve the site on http://127.0.0.1:8000 (SQLite, Celery eager, mail in var/mail)
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_content
	@$(DEV_ENV) $(PY) manage.py ensure_dev_admin
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint ## The whole suite; with DATABASE_URL and REDIS_URL set, on PostgreSQL, Redis and a real worker
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run --settings=tests.settings
	$(VENV)/bin/pytest

# `make serve` defaults: local PostgreSQL and Redis, a secret key kept in var/, plain HTTP on this host
# (no redirect to HTTPS, cookies without Secure); override any of them.
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0

serve: install ## The production-like stack on this host: gunicorn, Celery worker and beat (local Postgres, Redis)
	@mkdir -p var
	@test -s var/secret-key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key
	DATABASE_URL=$${DATABASE_URL:-$(SERVE_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(SERVE_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret-key)} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} SECURE_COOKIES=$${SECURE_COOKIES:-0} \
	EMAIL_DELIVERY=$${EMAIL_DELIVERY:-files} \
	PORT=$${PORT:-8000} ./scripts/serve.sh

bench: install ## Measure pages, forms and admin on the production-like stack (own database and Redis; installs wrk)
	$(PY) scripts/bench.py

chaos: install ## Fault drills on the production-like stack: worker kills, Redis outage, SMTP refusals (about 10 min)
	$(PY) scripts/chaos.py

clean: ## Remove the virtualenv, npm packages, collected static files and var/
	rm -rf $(VENV) node_modules staticfiles var
