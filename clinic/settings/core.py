"""The core settings: environment, apps and middleware, data stores, static and uploaded files,
locale, logging and the page cache."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from clinic.devkeys import field_encryption_keys

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# The development key is public (it is in this file), so it only ever runs with DEBUG on.
DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
# Old keys still accepted for signatures (sessions, password reset links) while SECRET_KEY is rotated
# (docs/operations.md); new signatures use SECRET_KEY only.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

if not DEBUG:
    # Refuse to start rather than run production on a guessable key or accept any Host header.
    if SECRET_KEY == DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY is unset or insecure while DEBUG is off. Set SECRET_KEY to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=1 "
            "for local development."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is empty while DEBUG is off. Set ALLOWED_HOSTS to the site's host names, "
            "comma-separated (e.g. ALLOWED_HOSTS=clinic.example.com)."
        )

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_prometheus",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "clinic",
    "articles",
    "casestudies",
    "intake",
]

# Order matters (requests go down this list, responses come back up it):
MIDDLEWARE = [
    # Outermost pair (with PrometheusAfterMiddleware, last): request counts and latencies for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before the rest: a request body over MAX_REQUEST_BODY is refused (413) unread.
    "clinic.bodylimit.RequestBodyLimitMiddleware",
    # Then REMOTE_ADDR becomes the true client address behind TRUSTED_PROXIES, for all that follows.
    "clinic.middleware.ClientAddressMiddleware",
    # Then a large upload waits for its turn before its body is read (clinic/uploadturns.py).
    "clinic.uploadturns.UploadTurnMiddleware",
    # Then: an http:// request is redirected to https:// before any other work, and every
    # response, static files included, gets HSTS, nosniff and the referrer policy.
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy on every response, static files included (before WhiteNoise answers them).
    "clinic.middleware.PermissionsPolicyMiddleware",
    # Right after SecurityMiddleware, so static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page. The policy carries no nonce, so a page cached whole
    # stays valid for everyone.
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store on the intake forms and admin. Above (outside) everything that could
    # cache or vary a response on the way out, so what it sets is what leaves the site.
    "clinic.middleware.NoStoreMiddleware",
    # Compresses the pages built per request (the page cache answers with bodies compressed when
    # stored, which it leaves alone). Outside ConditionalGetMiddleware, so the ETag is computed on the
    # page as rendered (then made weak). Django's GZipMiddleware pads each response with random bytes
    # against BREACH; the pages holding a secret, the forms, also rely on Django's CSRF token being
    # masked afresh in every response.
    "django.middleware.gzip.GZipMiddleware",
    # ETag on every page and 304 for a matching If-None-Match / If-Modified-Since (views that know
    # when their content last changed also send Last-Modified).
    "django.middleware.http.ConditionalGetMiddleware",
    # Right inside ConditionalGetMiddleware, so a cached page still answers conditional requests
    # with 304; below NoStoreMiddleware, so private pages are marked before it decides.
    "clinic.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: request.user.is_verified() says whether this session passed TOTP.
    "django_otp.middleware.OTPMiddleware",
    # After authentication: ties audit log entries (intake's inquiries) to the signed-in user.
    "clinic.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Needs the user, their OTP state and messages (for the "signed out" notice): idle and
    # absolute session limits, and TOTP for the groups that must use it.
    "clinic.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the 429 lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.chrome",
            ],
        },
    },
]


# --- Data stores -------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves threads (runserver, the tests' live server) from one file: a write
    # transaction takes the lock when it begins and waits up to 20 s for it, instead of failing at
    # once with "database is locked" when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def _redis_db(url: str, db: int) -> str:
    """The same Redis server as `url`, another logical database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


if REDIS_URL:
    # The cache gets its own logical database so that clearing it can never drop queued tasks.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=_redis_db(REDIS_URL, 1)),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
            # Fail fast when Redis is down instead of hanging a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database, so staff stay signed in while Redis restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.db"


# --- Static and uploaded files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from npm at build time and are served by the site itself: only the files
# the templates link (and the source maps they name, which the hashed storage must find).
_BOOTSTRAP = BASE_DIR / "node_modules" / "bootstrap" / "dist"
# The forms' proof-of-work widget: its CSP-friendly build (styles and worker as files, no maps).
_ALTCHA = BASE_DIR / "node_modules" / "altcha" / "dist"
VENDOR_STATIC_FILES = {
    **{
        f"vendor/bootstrap/{name}": _BOOTSTRAP / name
        for name in (
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        )
    },
    "vendor/altcha/altcha.min.js": _ALTCHA / "external" / "altcha.min.js",
    "vendor/altcha/altcha.css": _ALTCHA / "external" / "altcha.css",
    "vendor/altcha/workers/sha.js": _ALTCHA / "workers" / "sha.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "clinic.staticfinders.VendorFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Patient uploads: outside MEDIA_ROOT, never served by a public URL.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
# Uploads readable by the site's own user only (PrivateStorage sets 0600 / 0700 itself too).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Encryption at rest of health details and patients' uploads (docs/privacy.md): Fernet keys,
# comma-separated, newest first; the newest encrypts, every one decrypts. Without DEBUG the site
# refuses to start without one; with DEBUG a key is made once in var/field-encryption.key.
FIELD_ENCRYPTION_KEYS = field_encryption_keys(env.list("FIELD_ENCRYPTION_KEYS", default=[]), DEBUG, VAR_DIR)
# backup_data encrypts with the first key, restore_data tries each (docs/privacy.md, "Backups").
BACKUP_KEYS = env.list("BACKUP_KEY", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content hashes in their names, so they can be cached forever.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600
# Source maps are for a developer's browser tools only: not worth compressing at every build.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]


# --- Locale and forms --------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Logging -----------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# JSON lines in production (clinic.logs: no query strings, email addresses blanked); plain text
# for a developer's terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "clinic.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes announces its configuration at INFO in every process that starts Django.
        "axes.apps": {"level": "WARNING"},
    },
}
# The Celery worker and beat log through the LOGGING above (JSON lines) instead of their own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Where the clinic's articles, case histories and offices are kept as data files.
CONTENT_DIR = Path(env.str("CONTENT_DIR", default=str(BASE_DIR / "content")))


# --- Page cache, and the timings the reliability drills shorten ---------------------------------

# Whole public pages (home, articles, treatments, case studies) cached for anonymous visitors in
# Django's cache, retired on any content change (clinic/pagecache.py). On by default only with a
# shared cache (Redis): a per-process memory cache would not see another process's content changes.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=bool(REDIS_URL))
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_ALIAS = "default"
# Each web process also keeps its most recent pages in memory and rechecks the version this often.
PAGE_CACHE_LOCAL_ENTRIES = env.int("PAGE_CACHE_LOCAL_ENTRIES", default=200)
PAGE_CACHE_VERSION_CHECK = env.float("PAGE_CACHE_VERSION_CHECK", default=1.0)
# What every page shows and only a content change alters (the offices in the footer, the treatments,
# the case histories' headlines) kept in each process's memory for one content version
# (clinic.pagecache.per_content_version), so a page rendered afresh costs few queries. Shared cache
# only, like the page cache: without one, another process's change would not be seen.
CHROME_CACHE_ENABLED = env.bool("CHROME_CACHE", default=bool(REDIS_URL))

# The hand-off's retry backoff (seconds, doubling from the base up to the cap); the beat sweep's
# period is INTAKE_HANDOFF_SWEEP_INTERVAL (intake block above). The production defaults suit a real
# mail server; `make chaos` shortens them to run quickly.
INTAKE_RETRY_BASE_DELAY = env.int("INTAKE_RETRY_BASE_DELAY", default=30)
INTAKE_RETRY_MAX_DELAY = env.int("INTAKE_RETRY_MAX_DELAY", default=600)
