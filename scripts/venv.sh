#!/usr/bin/env bash
# `make install`'s Python half: check the Python first, rebuild a broken virtualenv, and install
# the pinned requirements only when they (or the Python) changed since the last install.
# Usage: scripts/venv.sh PYTHON VENV
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=$1
VENV=$2
SUPPORTED="3.11 3.12 3.13"

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
supported() { [[ " $SUPPORTED " == *" $1 "* ]]; }
advice="Install Python 3.11, 3.12 or 3.13 and name it, e.g.: PYTHON=python3.12 make test"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Python '$PYTHON' was not found. $advice" >&2
  exit 1
fi
version=$(version_of "$PYTHON" || true)
if [ -z "$version" ]; then
  echo "'$PYTHON' was found but does not run (a pyenv shim for a version not selected?). $advice" >&2
  exit 1
fi
if ! supported "$version"; then
  echo "'$PYTHON' is Python $version; this project supports 3.11, 3.12 and 3.13. $advice" >&2
  exit 1
fi

# A virtualenv whose Python is gone, of an unsupported version, or without pip (a half-made one,
# e.g. after an interrupted install) is made anew rather than kept.
if [ -e "$VENV" ] || [ -L "$VENV" ]; then
  have=$(version_of "$VENV/bin/python" || true)
  if [ -z "$have" ] || ! supported "$have" || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "$VENV is broken (Python: ${have:-missing}, or no pip): making it again with $PYTHON"
    rm -rf "$VENV"
  elif [ "$have" != "$version" ]; then
    echo "note: $VENV has Python $have, not $version; for a separate one: VENV=.venv-$version PYTHON=$PYTHON make ..."
    version=$have
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the requirements or the Python changed.
stamp="$VENV/.installed"
want="python $version $(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
  echo "$want" > "$stamp"
fi
