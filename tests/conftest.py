"""Shared fixtures: real servers the tests start themselves (Redis, an SMTP sink, a Celery worker).

Everything here listens on 127.0.0.1 only, waits a bounded time, and is stopped by the fixture.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

# The same process helpers the bench and chaos scripts use.
from scripts.support.processes import free_port, redis_answers, redis_server_argv, stop_group, wait_until
from scripts.support.smtp import SmtpSink

# Sentinel keys in every Redis database, and the run's own keys removed after it (tests/hostsafety.py).
pytest_plugins = ["tests.hostsafety"]

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@pytest.fixture(autouse=True)
def _fresh_chrome():
    """No test sees the site chrome another test's (rolled back) rows made (clinic.pagecache)."""
    from clinic import pagecache

    pagecache.clear_local()


def services_available() -> bool:
    """PostgreSQL and Redis are configured (as .ci/run does): the integration tests can run."""
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and bool(settings.REDIS_URL)


def pytest_collection_modifyitems(config, items):
    if services_available():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


class RedisServer:
    """A private redis-server on a spare loopback port, so a test can stop it without harm."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="clinic-redis-")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            redis_server_argv(self.port, self.dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(lambda: redis_answers(self.port), timeout=10, what=f"redis-server on port {self.port}")

    def stop(self):
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """A STATIC_ROOT filled once per suite by `collectstatic` with the production storage (hashed,
    compressed), for the tests that start gunicorn: pass it as STATIC_ROOT."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=service_env(STATIC_ROOT=str(root)),
        check=True,
        timeout=300,
    )
    return root


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def service_env(**extra) -> dict:
    """Environment for a process of ours (worker, gunicorn) that shares the test database."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        # The run's cache keys, not the site's: removed after the run (tests/hostsafety.py).
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
        "PYTHONUNBUFFERED": "1",
        # Temporary files (a SIGKILLed worker's pool leaves its pymp-* folder) go under the run's own
        # folder, removed when the run ends, not in /tmp.
        "TMPDIR": str(run_tmp()),
    }
    env.update(extra)
    return env


def run_tmp() -> Path:
    folder = Path(settings.MEDIA_ROOT).parent / "tmp"
    folder.mkdir(exist_ok=True)
    return folder


def start_celery_worker(log_path: Path, *, hostname: str, **env) -> subprocess.Popen:
    """Start `celery -A clinic worker` on the test queue; `env` overrides service_env() (REDIS_URL...).

    Returns once the worker answers a ping on the broker it was given. Stop it with stop_group().
    """
    from clinic.celery import app

    broker = env.get("REDIS_URL", settings.REDIS_URL)
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "clinic",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--hostname",
                hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=service_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with app.connection_for_write(broker) as connection:
            wait_until(
                lambda: (
                    proc.poll() is not None
                    or app.control.ping(destination=[hostname], timeout=1.0, connection=connection)
                ),
                timeout=60,
                interval=0.5,
                what="the Celery worker to answer a ping",
            )
    except BaseException:
        stop_group(proc)
        raise
    if proc.poll() is not None:
        pytest.fail(f"Celery worker exited at start:\n{log_path.read_text()[-3000:]}")
    return proc


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, smtp_sink, tmp_path_factory):
    """A real `celery -A clinic worker` process on the test database, Redis and the SMTP sink.

    Tests using it must commit their data: mark them django_db(transaction=True).
    """
    if not services_available():
        pytest.skip("needs PostgreSQL and Redis")
    from clinic.celery import app

    hostname = f"{settings.CELERY_TASK_DEFAULT_QUEUE}@localhost"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    proc = start_celery_worker(
        log, hostname=hostname, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_sink.port), EMAIL_USE_TLS="0"
    )
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = True
        stop_group(proc)


def point_celery_at(url: str) -> None:
    """Make this process's Celery app publish to the broker at `url` from now on.

    Celery reads its settings once, so override_settings alone does not move it: this sets the
    app's broker URL and drops its pooled connections and producers, which still point elsewhere.
    """
    from kombu import pools

    from clinic.celery import app

    app.conf.broker_url = url
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    # The control mailbox (ping, inspect) caches the producer pool it first used.
    app.control.mailbox.__dict__.pop("producer_pool", None)
    pools.reset()


@pytest.fixture
def redis_backed(redis_server, settings):
    """Django's cache and Celery's broker on the private `redis_server`, tasks sent through it
    (not run eagerly). `redis_backed.stop()` / `.start()` simulate a Redis outage and recovery."""
    from django.core.cache import caches

    from clinic.celery import app

    # Before the settings change: Celery's configuration reads through to Django's settings.
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    settings.REDIS_URL = redis_server.url
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url.rsplit("/", 1)[0] + "/1",
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    point_celery_at(redis_server.url)
    app.conf.task_always_eager = False
    try:
        yield redis_server
    finally:
        caches["default"].close()
        app.conf.task_always_eager = old_eager
        point_celery_at(old_url)
