#!/usr/bin/env bash
# The production-like stack on this host: release steps, then gunicorn, a Celery worker and Celery
# beat as separate processes (the same commands docker-compose.yml runs). Stops them all on exit.
# Needs DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PY")

: "${DATABASE_URL:?set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/clinic)}"
: "${REDIS_URL:?set REDIS_URL (e.g. redis://127.0.0.1:6379/0)}"

PYTHON="$PY" scripts/release.sh
# COLLECTSTATIC=0 when STATIC_ROOT is already collected (the test suite collects once for all).
if [ "${COLLECTSTATIC:-1}" != 0 ]; then
  "$PY" manage.py collectstatic --noinput --verbosity 0
fi

pids=()
cleanup() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$BIN/gunicorn" clinic.wsgi:application --config gunicorn.conf.py &
pids+=($!)
"$BIN/celery" -A clinic worker --loglevel=INFO &
pids+=($!)
"$BIN/celery" -A clinic beat --loglevel=INFO &
pids+=($!)

# If any one of them dies, stop the others: the stack is up only when all three are.
wait -n "${pids[@]}"
