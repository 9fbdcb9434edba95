"""Test settings: the real settings module, read with a test environment.

DATABASE_URL and REDIS_URL pass through, so the same suite runs on SQLite with an in-memory cache,
or on PostgreSQL and Redis.
"""

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-to-pass-checks")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")
# A fixed, public Fernet key: test data only.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA=")
# No SMTP server unless a test starts one: processes the tests start write emails to files.
os.environ.setdefault("EMAIL_DELIVERY", "files")
# Each run gets its own Celery queue, so a worker started by the tests never sees another run's tasks.
os.environ.setdefault("CELERY_QUEUE", f"test-{uuid.uuid4().hex[:12]}")

from clinic.settings import *  # noqa: E402,F403

# In process, tasks run eagerly; the tests that need a real worker start one (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A server the tests start names its own directory (removed with it). Otherwise this process makes
# one, removed when it ends (the suite, or `makemigrations --check` run with these settings).
_TMP = os.environ.get("CLINIC_TEST_TMP")
if not _TMP:
    _TMP = tempfile.mkdtemp(prefix="clinic-tests-")
    atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
MEDIA_ROOT = str(Path(_TMP) / "media")
PRIVATE_MEDIA_ROOT = str(Path(_TMP) / "private")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Templates use {% static %}; hashed names need collectstatic, which the stack test covers.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
if REDIS_URL:  # noqa: F405
    # Keep the run's cache keys apart from a developer's running site on the same Redis; clear()
    # deletes only those keys (tests/cache.py), and tests/hostsafety.py removes them after the run.
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ['CELERY_QUEUE']}"  # noqa: F405
    CACHES["default"]["BACKEND"] = "tests.cache.PrefixOnlyRedisCache"  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # Not var/db.sqlite3 (absent in a fresh clone): commands run with these settings, such as
    # `makemigrations --check`, open a database of the run's own. pytest's is test.sqlite3, below.
    DATABASES["default"]["NAME"] = str(Path(_TMP) / "db.sqlite3")  # noqa: F405
    # The test database is a file too, not Django's in-memory default: an in-memory database is one
    # connection, which the live server's request threads and the test thread would share, so their
    # transactions could interleave (a browser test once found itself signed out). With a file, each
    # thread has its own connection and SQLite's locks keep them apart, as under `make run`.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_TMP) / "test.sqlite3")}  # noqa: F405
STATIC_ROOT = str(Path(_TMP) / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# The forms' proof of work passes without being solved. Set here, not in the environment, so the
# worker and servers the tests start run without it; intake.E001 forbids it outside tests.
CAPTCHA_TEST_MODE = True
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "intake.E001"]  # noqa: F405
# The suite talks plain HTTP to 127.0.0.1 (test client, live server, the stack test's servers):
# no redirect to HTTPS. tests/clinic/test_security.py checks the production values.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
SECURE_SSL_REDIRECT = False
# The page cache stays off so tests see their own writes at once; tests/clinic/test_pagecache.py
# turns it on. The chrome cache stays on, as in production: a test's writes clear this process's
# copies at once, and tests/conftest.py clears them before each test (rolled back rows send no signal).
PAGE_CACHE_ENABLED = False
CHROME_CACHE_ENABLED = True
