"""The production-like stack for `make bench` and `make chaos`, started and stopped by a script.

Everything listens on 127.0.0.1 only: a private redis-server on a spare port (so restarting it
disturbs nothing else), gunicorn with gunicorn.conf.py, a Celery worker and Celery beat, each a
process group of its own, on a PostgreSQL database of the script's own that is dropped and made
anew at the start. Every wait is bounded; `Stack.stop_all()` ends everything it started and runs
on exit, on Ctrl-C and on failure (use the stack as a context manager).
"""

import email
import email.message
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
BIN = Path(PY).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def fetch(url: str, *, timeout: float = 10, headers: dict | None = None) -> tuple[int | None, dict, bytes]:
    """GET a URL on 127.0.0.1: (status, headers, body); status None if nothing answered."""
    assert url.startswith("http://127.0.0.1:"), url
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except OSError:
        return None, {}, b""


def stop_group(proc: subprocess.Popen, *, timeout: float = 15) -> None:
    """TERM a process group, then KILL it if it has not gone within `timeout`."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def reset_database(url: str) -> None:
    """Drop and create the PostgreSQL database named in `url` (a script's own, never the site's)."""
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if not re.fullmatch(r"clinic_(bench|chaos)[a-z0-9_]*", name):
        raise SystemExit(f"refusing to drop {name!r}: the scripts only reset clinic_bench* / clinic_chaos* databases")
    conn = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


class SmtpSink:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts (also the
    tests' `smtp_sink` fixture).

    `mode` is "accept" or "refuse" (421 to every message: a busy server); recipients in
    `bounce_domain` are always refused with 550 (a permanent failure).
    """

    bounce_domain = "bounce.invalid"

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.mode = "accept"
        self.messages: list[tuple[float, list[str], email.message.Message]] = []  # (time, rcpts, message)
        self.refused = 0
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@" + self.bounce_domain):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            with self._lock:
                self.refused += 1
            return "421 4.3.2 Service not available, try again later"
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append((time.time(), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[tuple[float, list[str], str, str]]:
        """(time, recipients, Message-ID, Subject) of every accepted message."""
        with self._lock:
            return [(t, rcpts, msg["Message-ID"] or "", msg["Subject"] or "") for t, rcpts, msg in self.messages]

    def received(self) -> list[tuple[list[str], email.message.Message]]:
        """(recipients, message) of every accepted message."""
        with self._lock:
            return [(rcpts, msg) for _, rcpts, msg in self.messages]

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def redis_server_argv(port: int, directory: Path | str) -> list[str]:
    """A redis-server on 127.0.0.1 that keeps nothing on disk (for the scripts and the tests)."""
    return ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(directory)]  # fmt: skip


def redis_answers(port: int) -> bool:
    """The redis-server on 127.0.0.1:`port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Stack:
    """gunicorn, a Celery worker, Celery beat and a private redis-server for one script run."""

    def __init__(self, name: str, *, database_url: str, env: dict | None = None):
        self.name = name
        self.dir = ROOT / "var" / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.database_url = database_url
        self.redis_port = free_port()
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.extra_env = env or {}
        self._redis_dir = self.dir / "redis"
        self._redis_dir.mkdir()

    # --- environment ---------------------------------------------------------------------------

    def env(self, **extra) -> dict:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "GUNICORN_"))}
        base.update(
            {
                "DJANGO_SETTINGS_MODULE": "clinic.settings",
                "DEBUG": "0",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "SITE_URL": self.base_url,
                "DATABASE_URL": self.database_url,
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "CELERY_QUEUE": f"{self.name}-queue",
                "CELERY_BEAT_SCHEDULE_FILENAME": str(self.dir / "celerybeat-schedule"),
                "STATIC_ROOT": str(self.dir / "static"),
                "MEDIA_ROOT": str(self.dir / "media"),
                "PRIVATE_MEDIA_ROOT": str(self.dir / "private"),
                "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
                "PORT": str(self.web_port),
                # Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies without the Secure flag.
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        base.update(self.extra_env)
        base.update(extra)
        return base

    secret_key = secrets.token_urlsafe(50)

    def use_in_this_process(self) -> None:
        """Point this process's Django at the stack (call before django.setup())."""
        os.environ.update(self.env())
        import django

        django.setup()

    # --- processes -----------------------------------------------------------------------------

    def _start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.procs[name] = proc
        return proc

    def start_redis(self) -> None:
        self._start("redis", redis_server_argv(self.redis_port, self._redis_dir))
        wait_until(self.redis_answers, timeout=10, what="the private redis-server")

    def redis_answers(self) -> bool:
        return redis_answers(self.redis_port)

    def stop_redis(self) -> None:
        self.stop("redis")

    def release(self) -> None:
        """The release steps, as `make serve` runs them: database, migrate, load content, static."""
        reset_database(self.database_url)
        for argv in (["bash", "scripts/release.sh"], [PY, "manage.py", "collectstatic", "--noinput", "-v0"]):
            result = subprocess.run(
                argv, cwd=ROOT, env=self.env(PYTHON=PY), capture_output=True, text=True, timeout=300
            )
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")

    def start_web(self, **env) -> None:
        self._start("web", [str(BIN / "gunicorn"), "clinic.wsgi:application", "--config", "gunicorn.conf.py"], **env)
        wait_until(
            lambda: self.procs["web"].poll() is not None or fetch(self.base_url + "/healthz", timeout=2)[0] == 200,
            timeout=60,
            interval=0.5,
            what="gunicorn to answer /healthz",
        )
        if self.procs["web"].poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(self.dir / 'web.log').read_text()[-3000:]}")

    def start_worker(self, *, concurrency: int = 2, **env) -> None:
        log = self.dir / "worker.log"
        ready_before = log.read_text(errors="replace").count("ready.") if log.exists() else 0
        self._start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "clinic",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--hostname",
                f"{self.name}@localhost",
                "--without-gossip",
                "--without-mingle",
            ],
            **env,
        )
        log = self.dir / "worker.log"
        wait_until(
            lambda: (
                self.procs["worker"].poll() is not None
                or log.read_text(errors="replace").count("ready.") > ready_before
            ),
            timeout=60,
            interval=0.5,
            what="the Celery worker to be ready",
        )

    def start_beat(self, **env) -> None:
        self._start("beat", [str(BIN / "celery"), "-A", "clinic", "beat", "--loglevel=INFO"], **env)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=15)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            stop_group(proc)

    def stop_all(self) -> None:
        for name in ("web", "beat", "worker", "redis"):
            self.stop(name)
        for name in list(self.procs):
            self.stop(name)

    def __enter__(self):
        # Ctrl-C or a TERM from make: unwind through __exit__, which stops everything.
        signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, *exc):
        self.stop_all()
        return False


def ensure_wrk() -> str:
    """The wrk load tool, installed with apt-get if missing."""
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk (apt-get)...", flush=True)
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        install = ["sudo", "-n", *install]
    if subprocess.run(install, capture_output=True, timeout=300).returncode != 0:
        subprocess.run([*install[:-4], "update", "-qq"], capture_output=True, timeout=300)
        subprocess.run(install, check=True, capture_output=True, timeout=300)
    return shutil.which("wrk") or "wrk"


# --- A person filling in the candidacy form --------------------------------------------------------

HIDDEN = re.compile(r'<input[^>]*name="(csrfmiddlewaretoken|started|submission_token)"[^>]*value="([^"]*)"')


def candidate_answers(email_address: str) -> dict:
    return {
        "first_name": "Load",
        "last_name": "Test",
        "email": email_address,
        "phone": "239 555 0100",
        "preferred_contact": "either",
        "office": "oak-park",
        "knees": "right",
        "right_pain": "7",
        "right_pain_time": "75",
        "duration": "1to5y",
        "onset": "old_injury",
        "tried_nsaids": "for_a_while",
        "replacement_recommended": "no",
        "instability": "on",
        "message": "It hurts on the stairs.",
        "callback_window": "Any time",
        "out_of_network_acknowledged": "on",
        "consent_to_contact": "on",
        "website": "",
    }


class FormVisitor:
    """One browser on 127.0.0.1: GET the candidacy form, solve its ALTCHA proof of work as the page's
    widget does (GET the challenge, find the counter), POST it, and optionally open the thank-you page.
    Keeps its cookies and one keep-alive connection."""

    def __init__(self, port: int, *, timeout: float = 30):
        import http.client

        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._http = http.client
        self.conn = None

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        from http.cookies import SimpleCookie

        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = self._http.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (self._http.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed a kept-alive connection: one fresh try
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response, data, elapsed

    def submit(self, email_address: str, *, open_thanks: bool = False) -> dict:
        """One submission: {'get', 'post', 'thanks' (seconds), 'status', 'ok', 'error', 'done_at'}."""
        import json
        from urllib.parse import urlencode

        import altcha

        result = {"get": None, "post": None, "thanks": None, "status": None, "ok": False, "error": ""}
        try:
            status, _, page, result["get"] = self._request("GET", "/candidate/")
            hidden = dict(HIDDEN.findall(page.decode(errors="replace")))
            if status != 200 or len(hidden) < 3:
                result["error"] = f"GET /candidate/ answered {status}"
                return result
            _, _, body, _ = self._request("GET", "/altcha/challenge/")
            challenge = altcha.Challenge.from_dict(json.loads(body))
            proof = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
            form = {**candidate_answers(email_address), **hidden, "altcha": proof}
            status, response, page, result["post"] = self._request(
                "POST", "/candidate/", urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
            )
            result["status"] = status
            result["done_at"] = time.time()
            if status != 302 or "/thanks/" not in (response.getheader("Location") or ""):
                found = re.findall(r"(?:invalid-feedback|alert-danger)[^>]*>\s*([^<]+)", page.decode(errors="replace"))
                result["error"] = f"POST answered {status}: {found[:2]}"
                return result
            if open_thanks:
                status, _, page, result["thanks"] = self._request("GET", "/thanks/")
                if status != 200 or b"KN-" not in page:
                    result["error"] = f"thank-you page answered {status}"
                    return result
            result["ok"] = True
        except Exception as exc:  # a refused or timed-out connection is a result to report, not a crash
            result["error"] = f"{type(exc).__name__}: {exc}"
            self.close()
        return result

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def paced_submissions(
    port: int, emails: list[str], *, rate: float, clients: int, time_limit: float, open_thanks: bool = False
) -> list[dict]:
    """Submit one candidacy form per address at a steady `rate` per second from `clients` threads.

    Bounded: stops starting new submissions after `time_limit` seconds. Returns one result per
    address submitted (see FormVisitor.submit), with its 'email'.
    """
    from django.db import connection

    jobs = list(enumerate(emails))
    lock = threading.Lock()
    results: list[dict] = []
    start = time.monotonic()

    def run():
        visitor = FormVisitor(port)
        try:
            while True:
                with lock:
                    if not jobs:
                        return
                    index, address = jobs.pop(0)
                due = start + index / rate
                if due - start > time_limit:
                    return
                time.sleep(max(0.0, due - time.monotonic()))
                result = visitor.submit(address, open_thanks=open_thanks)
                result["email"] = address
                with lock:
                    results.append(result)
        finally:
            visitor.close()
            connection.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=time_limit + 120)
    return results
