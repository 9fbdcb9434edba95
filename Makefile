# The README's commands. `make help` lists them.
SHELL := /bin/bash
# Python 3.11, 3.12 or 3.13: the first of them that runs, or the one named (PYTHON=python3.12 make test).
PYTHON ?= $(firstword $(foreach p,python3.11 python3.12 python3.13,$(shell $(p) -c "" >/dev/null 2>&1 && echo $(p))) python3.11)
# Another virtualenv for another Python: VENV=.venv-3.12 PYTHON=python3.12 make test
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The embedded default for `make run`: SQLite, Celery eager, email to files under var/.
DEV_ENV := DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: help install python-deps node-deps port-free run test lint format serve bench chaos clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

# Checks the Python version first, makes the virtualenv again if it is broken, and reinstalls only
# when the pinned requirements change (scripts/venv.sh). npm: only when package*.json change (the
# stamps hold a hash of the files, so a fresh checkout with newer file times reinstalls nothing).
python-deps:
	@scripts/venv.sh $(PYTHON) $(VENV)

node-deps:
	@want=$$(cat package.json package-lock.json | sha256sum | cut -c1-16); \
	if [ "$$(cat node_modules/.installed 2>/dev/null)" != "$$want" ]; then \
	  npm ci --no-audit --no-fund --loglevel=error && echo "$$want" > node_modules/.installed; fi

install: python-deps node-deps ## Make .venv and install pinned Python and npm packages

# Before anything is installed: is the port free?
port-free:
	@if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
	  echo "Port $(PORT) on 127.0.0.1 is in use: stop what runs there, or choose another: make run PORT=8080"; exit 1; fi

run: port-free install ## Set up and serve the site on http://127.0.0.1:8000 (PORT=8080 for another port; SQLite, Celery eager, mail in var/mail)
	@mkdir -p var
	@$(DEV_ENV) $(PY) manage.py migrate --noinput
	@$(DEV_ENV) $(PY) manage.py load_content
	@$(DEV_ENV) $(PY) manage.py ensure_dev_admin
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install ## ruff check and ruff format --check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: install ## Fix what ruff can (imports, simplifications) and format the code
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

test: lint ## The whole suite; with DATABASE_URL and REDIS_URL set, on PostgreSQL, Redis and a real worker
	@env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run --settings=tests.settings
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# `make serve` defaults: local PostgreSQL and Redis, a secret key kept in var/, plain HTTP on this host
# (no redirect to HTTPS, cookies without Secure); override any of them.
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0

serve: install ## The production-like stack on this host: gunicorn, Celery worker and beat (local Postgres, Redis)
	@mkdir -p var
	@test -s var/secret-key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key
	@test -s var/field-encryption.key || $(PY) -c "from clinic.devkeys import fernet_key_file as f; from pathlib import Path; f(Path('var/field-encryption.key'))"
	DATABASE_URL=$${DATABASE_URL:-$(SERVE_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(SERVE_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret-key)} FIELD_ENCRYPTION_KEYS=$${FIELD_ENCRYPTION_KEYS:-$$(cat var/field-encryption.key)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} SECURE_COOKIES=$${SECURE_COOKIES:-0} \
	EMAIL_DELIVERY=$${EMAIL_DELIVERY:-files} \
	PORT=$${PORT:-8000} ./scripts/serve.sh

bench: install ## Measure pages, forms and admin on the production-like stack (own database and Redis; installs wrk)
	$(PY) scripts/bench.py

chaos: install ## Fault drills on the production-like stack: worker kills, Redis outage, SMTP refusals (about 10 min)
	$(PY) scripts/chaos.py

clean: ## Remove the virtualenv, npm packages, collected static files and var/
	rm -rf $(VENV) node_modules staticfiles var
