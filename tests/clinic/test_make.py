"""The Makefile checks the Python and the port before it installs anything (scripts/venv.sh)."""

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for a Python interpreter: says its version, "makes" a virtualenv (a copy of itself) and
# records pip installs, so the script's decisions are checked without installing anything.
FAKE_PYTHON = """#!/bin/sh
case "$1" in
  -c) echo "{version}" ;;
  -m) case "$2" in
        venv) mkdir -p "$3/bin" && cp "$0" "$3/bin/python" ;;
        pip) [ "$3" = "--version" ] || echo install >> "{log}" ;;
      esac ;;
esac
"""


def fake_python(directory: Path, version: str, log: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"python{version}"
    path.write_text(FAKE_PYTHON.format(version=version, log=log))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def venv_sh(python, venv) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/venv.sh", str(python), str(venv)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_an_unsupported_or_missing_python_is_refused_with_advice(tmp_path):
    old = fake_python(tmp_path / "bin", "3.9", tmp_path / "pip.log")
    result = venv_sh(old, tmp_path / "venv")
    assert result.returncode == 1
    assert "is Python 3.9" in result.stderr and "PYTHON=python3.12 make test" in result.stderr
    assert not (tmp_path / "venv").exists() and not (tmp_path / "pip.log").exists()

    missing = venv_sh("python3.99-absent", tmp_path / "venv")
    assert missing.returncode == 1 and "was not found" in missing.stderr


def test_a_broken_virtualenv_is_made_again_and_installs_happen_once(tmp_path):
    log = tmp_path / "pip.log"
    python = fake_python(tmp_path / "bin", "3.12", log)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".installed").write_text("an old stamp")  # a stamp but no Python: broken
    first = venv_sh(python, venv)
    assert first.returncode == 0, first.stderr
    assert "is broken" in first.stdout
    assert (venv / "bin" / "python").exists() and log.read_text().count("install") == 1

    again = venv_sh(python, venv)
    assert again.returncode == 0 and "broken" not in again.stdout
    assert log.read_text().count("install") == 1, "nothing changed: nothing reinstalled"

    fake_python(tmp_path / "old", "3.9", log).replace(venv / "bin" / "python")  # a venv of an old Python
    third = venv_sh(python, venv)
    assert third.returncode == 0 and "is broken" in third.stdout
    assert log.read_text().count("install") == 2


def make(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_make_run_stops_on_a_busy_port_before_installing(busy_port, tmp_path):
    venv = tmp_path / "never-made"
    result = make("run", f"PORT={busy_port}", f"VENV={venv}")
    assert result.returncode != 0
    assert f"Port {busy_port} on 127.0.0.1 is in use" in result.stdout and "make run PORT=8080" in result.stdout
    assert not venv.exists(), "nothing was installed"


def test_the_port_check_passes_on_a_free_port():
    with socket.socket() as sock:  # a port nobody listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert make("port-free", f"PORT={free}").returncode == 0
