#!/usr/bin/env bash
# The production-like stack on this host: release steps, then gunicorn, a Celery worker and Celery
# beat as separate processes (the same commands docker-compose.yml runs), each started again if it
# exits. Stops them all on exit.
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

# Each process runs under a small supervisor loop: if the Celery worker, beat or gunicorn exits (a
# crash, the OOM killer), it is started again after a pause that doubles up to 30 s while it keeps
# failing, and the rest of the stack stays up. Ctrl-C or TERM stops them all, each one gracefully.
supervise() {
  local name=$1 delay=1 started rc child=
  shift
  trap 'if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi; exit 0' TERM
  while true; do
    started=$SECONDS
    rc=0
    "$@" &
    child=$!
    wait "$child" || rc=$?
    child=
    echo "serve.sh: $name exited with status $rc; starting it again in ${delay} s" >&2
    sleep "$delay"
    if ((SECONDS - started > 60)); then delay=1; else delay=$((delay * 2 > 30 ? 30 : delay * 2)); fi
  done
}

pids=()
cleanup() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

supervise web "$BIN/gunicorn" clinic.wsgi:application --config gunicorn.conf.py &
pids+=($!)
supervise worker "$BIN/celery" -A clinic worker --loglevel=INFO --without-gossip --without-mingle &
pids+=($!)
supervise beat "$BIN/celery" -A clinic beat --loglevel=INFO &
pids+=($!)

wait "${pids[@]}"
