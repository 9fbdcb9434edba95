"""The production-like stack for `make bench` and `make chaos`, started and stopped by a script.

Everything listens on 127.0.0.1 only: a private redis-server on a spare port (so restarting it
disturbs nothing else), gunicorn with gunicorn.conf.py, a Celery worker and Celery beat, each a
process group of its own, on a PostgreSQL database of the script's own that is dropped and made
anew at the start. Every wait is bounded; `Stack.stop_all()` ends everything it started and runs
on exit, on Ctrl-C and on failure (use the stack as a context manager).
"""

import base64
import os
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

from .databases import reset_database
from .processes import BIN, PY, ROOT, fetch, free_port, redis_answers, redis_server_argv, stop_group, wait_until


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Stack:
    """gunicorn, a Celery worker, Celery beat and a private redis-server for one script run."""

    def __init__(self, name: str, *, database_url: str, env: dict | None = None, root: Path = ROOT):
        self.name = name
        self.root = root  # the checkout whose code runs (another one: scripts/bench_versus.py)
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
        (self.dir / "tmp").mkdir()

    # --- environment ---------------------------------------------------------------------------

    def env(self, **extra) -> dict:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "GUNICORN_"))}
        base.update(
            {
                "DJANGO_SETTINGS_MODULE": "clinic.settings",
                "DEBUG": "0",
                # A script that starts no SMTP sink gets its emails as files in its own directory.
                "EMAIL_DELIVERY": "files",
                "EMAIL_FILE_PATH": str(self.dir / "mail"),
                "SECRET_KEY": self.secret_key,
                "FIELD_ENCRYPTION_KEYS": self.field_encryption_key,
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
                # Temporary files stay in the run's directory: a SIGKILLed worker's pool (the chaos
                # drills kill it) would otherwise leave its pymp-* folder in /tmp.
                "TMPDIR": str(self.dir / "tmp"),
            }
        )
        base.update(self.extra_env)
        base.update(extra)
        return base

    secret_key = secrets.token_urlsafe(50)
    field_encryption_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    def use_in_this_process(self) -> None:
        """Point this process's Django at the stack (call before django.setup())."""
        os.environ.update(self.env())
        import django

        django.setup()

    # --- processes -----------------------------------------------------------------------------

    def _start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv, cwd=self.root, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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
                argv, cwd=self.root, env=self.env(PYTHON=PY), capture_output=True, text=True, timeout=300
            )
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")

    def prepare(self) -> None:
        """The private redis-server, the release steps, and this process's Django pointed at both."""
        print(f"{self.name}: stack in {self.dir}, database {self.database_url.rsplit('/', 1)[-1]}", flush=True)
        self.start_redis()
        self.release()
        self.use_in_this_process()

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
