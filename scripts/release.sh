#!/usr/bin/env bash
# Release steps, run before the web process starts (make serve, docker-compose's web service).
# Idempotent: safe on every start.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
"$PY" scripts/ensure_db.py
"$PY" manage.py migrate --noinput
"$PY" manage.py load_content
