"""The settings refuse to run production on unsafe defaults, with a message saying what to set."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import clinic.settings"], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_debug_off_with_the_default_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0", ALLOWED_HOSTS="clinic.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is unset or insecure" in result.stderr


def test_debug_off_with_a_short_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="clinic.example.com")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty while DEBUG is off" in result.stderr


def test_debug_off_without_an_smtp_server_refuses_to_start_unless_files_are_asked_for():
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "clinic.example.com"}
    result = load_settings(**production, EMAIL_HOST="", EMAIL_DELIVERY="")
    assert result.returncode != 0
    assert "EMAIL_HOST is unset while DEBUG is off" in result.stderr and "EMAIL_DELIVERY=files" in result.stderr
    assert load_settings(**production, EMAIL_HOST="", EMAIL_DELIVERY="files").returncode == 0
    assert load_settings(**production, EMAIL_HOST="smtp.example.com", EMAIL_DELIVERY="").returncode == 0


def test_debug_is_off_unless_asked_for():
    result = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="clinic.example.com")
    assert result.returncode == 0, result.stderr


def test_development_runs_on_the_embedded_defaults():
    script = (
        "import clinic.settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "SECRET_KEY"}}
    clean["DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


def test_redis_url_switches_cache_and_broker_to_redis():
    script = (
        "import clinic.settings as s; c = s.CACHES['default'];"
        "print(c['BACKEND'], c['LOCATION'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}  # the default, not the run's own
    clean.update(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
        "redis://127.0.0.1:6379/0",
        "False",
    ]


def test_old_secret_keys_stay_valid_while_they_are_listed_as_fallbacks():
    script = "import clinic.settings as s; print(s.SECRET_KEY_FALLBACKS)"
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY_FALLBACKS": "old-one,older-one"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "['old-one', 'older-one']", result.stderr


def test_sentry_starts_only_with_a_dsn():
    script = "import clinic.settings, sentry_sdk; print(sentry_sdk.get_client().is_active())"
    base = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    off = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**base, "DEBUG": "1"}, capture_output=True, text=True
    )
    on = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DEBUG": "1", "SENTRY_DSN": "https://public@sentry.invalid/1"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() == "False" and on.stdout.strip() == "True", off.stderr + on.stderr


def test_celery_concurrency_defaults_to_the_cpu_quota_also_when_empty():
    from clinic.cpus import available_cpus

    script = "import clinic.settings as s; print(s.CELERY_WORKER_CONCURRENCY)"
    for value, expected in (("", available_cpus()), ("3", 3)):
        env = {**os.environ, "DEBUG": "1", "CELERY_CONCURRENCY": value}
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.stdout.strip() == str(expected), result.stderr
