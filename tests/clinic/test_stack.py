"""`make serve`'s stack (scripts/serve.sh: gunicorn, Celery worker, Celery beat) answers on 127.0.0.1."""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from clinic.celery import app
from tests.conftest import ROOT, free_port, service_env, stop_group, wait_until
from tests.hostsafety import run_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def fetch(url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=5) as r:
            body = r.read()
            # Pages come gzipped now (the page cache, GZipMiddleware): read them as a browser does.
            if r.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return r.status, dict(r.headers), body
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except OSError:
        return None, {}, b""


def celery_main_pids(session: int, role: str) -> set[int]:
    """The Celery `role` (worker, beat) main processes in this session: started by serve.sh's bash."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            parent = (Path("/proc") / stat[1] / "cmdline").read_bytes()
        except OSError:
            continue
        if (
            int(stat[3]) == session
            and any(arg.endswith(b"celery") for arg in argv[:2])
            and role.encode() in argv
            and b"bash" in parent
        ):
            pids.add(int(entry.name))
    return pids


def test_serve_runs_gunicorn_worker_and_beat_that_answer(tmp_path, collected_static):
    port = free_port()
    queue = run_queue(f"stack-{port}")
    env = service_env(
        PORT=str(port),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        # The suite's one collectstatic (tests/conftest.py); serve.sh skips its own with COLLECTSTATIC=0.
        STATIC_ROOT=str(collected_static),
        COLLECTSTATIC="0",
        CELERY_QUEUE=queue,
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        # Plain HTTP on 127.0.0.1, as `make serve` sets it.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Release steps and collectstatic first: about 2 minutes on the 2-core machine under load.
        wait_until(
            lambda: proc.poll() is not None or fetch(base + "/healthz")[0] == 200,
            timeout=300,
            interval=0.5,
            what="gunicorn to answer /healthz",
        )
        assert proc.poll() is None, log.read_text()[-3000:]

        status, _, body = fetch(base + "/healthz")
        assert status == 200 and b'"broker": "ok"' in body

        status, headers, body = fetch(base + "/")
        assert status == 200 and b"Caring Medical Florida" in body
        assert "default-src 'self'" in headers.get("Content-Security-Policy", "")
        # Static files: hashed names from the manifest, compressed, cached for a long time by whitenoise.
        css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
        assert css, "the page links the hashed stylesheet"
        status, headers, _ = fetch(base + css.group(1).decode())
        assert status == 200
        assert headers.get("Content-Encoding") in {"gzip", "br"}
        assert "max-age=315360000" in headers.get("Cache-Control", "")

        # The worker of this stack consumes its queue.
        replies = wait_until(lambda: app.control.ping(timeout=1.0), timeout=30, what="the stack's worker")
        assert replies
        text = log.read_text()
        assert "beat: Starting..." in text, "Celery beat runs as its own process"
        # Its heartbeat, which the beat container's health check reads (clinic/beat.py).
        wait_until(lambda: (tmp_path / "beat-schedule.heartbeat").exists(), timeout=30, what="beat's heartbeat")
        check = subprocess.run([sys.executable, "-m", "clinic.beat"], cwd=ROOT, env=env, capture_output=True)
        assert check.returncode == 0, check.stderr
        assert f"{queue}" in text
        # gunicorn's access log is JSON lines like the application's, without query strings.
        fetch(base + "/search/?q=my+sore+joint+xyzzy")
        wait_until(lambda: "/search/" in log.read_text(), timeout=10, what="the access log line")
        access = [json.loads(line) for line in log.read_text().splitlines() if '"gunicorn.access"' in line]
        assert any('"GET /search/ HTTP/1.1" 200' in entry["message"] for entry in access), access[-3:]
        assert "xyzzy" not in log.read_text()

        # A worker or beat that dies is started again; the rest of the stack stays up.
        for role in ("worker", "beat"):
            (old,) = celery_main_pids(proc.pid, role)
            os.kill(old, signal.SIGKILL)
            wait_until(
                lambda role=role, old=old: celery_main_pids(proc.pid, role) - {old},
                timeout=30,
                what=f"serve.sh to start the {role} again",
            )
            assert f"serve.sh: {role} exited with status 137" in log.read_text()
        assert proc.poll() is None
        assert fetch(base + "/healthz")[0] == 200
        assert wait_until(lambda: app.control.ping(timeout=1.0), timeout=60, what="the new worker")
    finally:
        stop_group(proc, timeout=30)
    assert fetch(base + "/healthz")[0] is None, "stopping serve.sh stops gunicorn"
