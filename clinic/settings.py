"""Settings for the clinic site, read from the environment (README lists every variable).

One code path for both ways of running it: with no environment at all it runs on SQLite with
Celery tasks executed in process and emails written under var/; DATABASE_URL and REDIS_URL switch
it to PostgreSQL, Redis and a real Celery worker.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from clinic.bodylimit import DEFAULT_MAX_REQUEST_BODY
from clinic.cpus import available_cpus
from clinic.devkeys import field_encryption_keys

BASE_DIR = Path(__file__).resolve().parent.parent
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
    "captcha",
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

# --- Celery ------------------------------------------------------------------------------------

# Without REDIS_URL tasks run eagerly in the web process: the embedded default needs no broker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_IGNORE_RESULT = True  # no result backend: task results could hold patient data
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
# Beat touches <schedule file>.heartbeat on every tick, at least once a minute, for its health check
# (clinic/beat.py).
CELERY_BEAT_SCHEDULER = "clinic.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60

# --- Intake: spam protection and the no-loss hand-off to staff ---------------------------------

# The "Enter code" challenge (django-simple-captcha). Test mode accepts the answer "PASSED" so that
# automated tests can submit; system check intake.E001 refuses it while DEBUG is off.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 60  # minutes: the candidacy form takes a while, and an expired code costs a retry
CAPTCHA_LETTER_ROTATION = (-15, 15)  # legible for patients, still not plain text
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_FONT_SIZE = 28
# Per-IP limit on form submissions, counted in the cache (Redis in production). If the cache is
# down the limit fails open: the other layers (captcha, honeypot, fill time) still apply, and a
# patient's inquiry matters more than a few minutes without a rate limit.
INTAKE_RATE_LIMIT = env.str("INTAKE_RATE_LIMIT", default="10/h")
# The proxies in front of the site (addresses or networks, comma-separated, e.g. "10.0.0.0/8"), whose
# X-Forwarded-For entries are believed: clinic.middleware.ClientAddressMiddleware sets REMOTE_ADDR to
# the rightmost address in X-Forwarded-For that is not one of them, for the audit trail, the sign-in
# lockout and the rate limits alike. Empty (the default): the connecting address is the client's.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# The rate limits (django-ratelimit) count per REMOTE_ADDR, made true by the middleware above.
RATELIMIT_IP_META_KEY = "REMOTE_ADDR"
INTAKE_MIN_FILL_SECONDS = env.int("INTAKE_MIN_FILL_SECONDS", default=3)
INTAKE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# A larger request body is answered 413 before Django reads it (clinic/bodylimit.py: the WSGI
# wrapper in clinic/wsgi.py for gunicorn, and the first middleware for any other way in).
MAX_REQUEST_BODY = env.int("MAX_REQUEST_BODY", default=DEFAULT_MAX_REQUEST_BODY)
# Pictures: a pixel ceiling read from the header (a phone photo is ~12 MP), kept at most MAX_SIDE on
# the long side, at most IMAGE_SLOTS decoded at once on this host (intake/image_slots.py); a file no
# inquiry refers to (a crash before the commit) is swept hourly once ORPHAN_GRACE_SECONDS old.
INTAKE_UPLOAD_MAX_PIXELS = env.int("INTAKE_UPLOAD_MAX_PIXELS", default=24_000_000)
INTAKE_UPLOAD_MAX_SIDE = env.int("INTAKE_UPLOAD_MAX_SIDE", default=4096)
INTAKE_IMAGE_SLOTS = env.int("INTAKE_IMAGE_SLOTS", default=1)
INTAKE_ORPHAN_GRACE_SECONDS = env.int("INTAKE_ORPHAN_GRACE_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["intake-orphan-image-sweep"] = {"task": "intake.tasks.sweep_orphan_images", "schedule": 3600.0}
# The beat sweep hands over messages still unsent SWEEP_AFTER seconds after they were stored, with
# backoff; one the mail server keeps failing is marked "failed" GIVE_UP_SECONDS after it was stored.
INTAKE_HANDOFF_SWEEP_AFTER = env.int("INTAKE_HANDOFF_SWEEP_AFTER", default=180)
INTAKE_HANDOFF_GIVE_UP_SECONDS = env.int("INTAKE_HANDOFF_GIVE_UP_SECONDS", default=2 * 24 * 3600)

# No loss: a task is acknowledged only after it ran, and is redelivered if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker processes per container: its CPU quota (Celery's own default counts the host's cores).
# Empty (docker-compose.yml passes it through unset) means the default too.
CELERY_WORKER_CONCURRENCY = int(env.str("CELERY_CONCURRENCY", default="") or available_cpus())
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Redis redelivers an unacknowledged task after the visibility timeout. It must exceed the longest
# retry countdown (10 minutes, intake.tasks) plus the time limit, or a waiting retry runs twice.
# Short socket timeouts and one publish retry: a web request never hangs when Redis is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 3, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker outlives a Redis restart or outage (docs/faults-platform.md): it retries the broker for
# ever instead of exiting after 100 attempts, and its consumer survives kombu's lost-connection
# cleanup (clinic.celery.BrokerLossConsumer).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CONSUMER = "clinic.celery:BrokerLossConsumer"
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE["intake-handoff-sweep"] = {
    "task": "intake.tasks.sweep_handoffs",
    "schedule": env.float("INTAKE_HANDOFF_SWEEP_INTERVAL", default=60.0),
}


# Triage in admin. A new inquiry is overdue after TRIAGE_SLA_HOURS (calendar hours); closed ones
# and their images are removed by purge_inquiries INQUIRY_RETENTION_DAYS after they were closed.
TRIAGE_SLA_HOURS = env.int("TRIAGE_SLA_HOURS", default=24)
INQUIRY_RETENTION_DAYS = env.int("INQUIRY_RETENTION_DAYS", default=365)
# The same purge removes suspected spam after SPAM_RETENTION_DAYS, and newsletter sign-ups not
# confirmed within SUBSCRIBER_CONFIRM_DAYS (docs/privacy.md, "Retention").
SPAM_RETENTION_DAYS = env.int("SPAM_RETENTION_DAYS", default=30)
SUBSCRIBER_CONFIRM_DAYS = env.int("SUBSCRIBER_CONFIRM_DAYS", default=30)
# The daily digest to STAFF_NOTIFY_EMAILS (counts and a link only), at this hour UTC.
TRIAGE_DIGEST_HOUR_UTC = env.int("TRIAGE_DIGEST_HOUR_UTC", default=11)
CELERY_BEAT_SCHEDULE["intake-triage-digest"] = {
    "task": "intake.tasks.send_triage_digest",
    "schedule": crontab(hour=TRIAGE_DIGEST_HOUR_UTC, minute=0),
}
# The editors' weekly list of medical reviews overdue or due within 30 days (articles.reviews), to
# EDITOR_EMAILS, on Mondays at this hour UTC.
EDITOR_EMAILS = env.list("EDITOR_EMAILS", default=["editors@localhost"])
REVIEW_REMINDER_HOUR_UTC = env.int("REVIEW_REMINDER_HOUR_UTC", default=7)
CELERY_BEAT_SCHEDULE["articles-review-reminder"] = {
    "task": "articles.tasks.send_review_reminder",
    "schedule": crontab(day_of_week="mon", hour=REVIEW_REMINDER_HOUR_UTC, minute=0),
}
# The audit log (django-auditlog) stores the assignee's name rather than an id, so the trail still
# reads right after an account is removed. Which fields it records is set in intake/apps.py.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True

# --- Email -------------------------------------------------------------------------------------

EMAIL_HOST = env.str("EMAIL_HOST", default="")
# Without EMAIL_HOST emails are files nobody reads: with DEBUG off, ask for it (EMAIL_DELIVERY=files).
EMAIL_DELIVERY = "smtp" if EMAIL_HOST else env.str("EMAIL_DELIVERY", default="files" if DEBUG else "")
if EMAIL_DELIVERY not in ("smtp", "files"):
    raise ImproperlyConfigured(
        "EMAIL_HOST is unset while DEBUG is off, so no email (staff notifications, patients' "
        "confirmations) would reach anyone. Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, "
        "EMAIL_HOST_PASSWORD), or EMAIL_DELIVERY=files to write emails under EMAIL_FILE_PATH."
    )
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
else:
    # No SMTP server configured: every message is written to a file a person can open.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Caring Medical <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFY_EMAILS = env.list("STAFF_NOTIFY_EMAILS", default=["triage@localhost"])

# --- Static and uploaded files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from npm at build time and are served by the site itself: only the files
# the templates link (and the source maps they name, which the hashed storage must find).
_BOOTSTRAP = BASE_DIR / "node_modules" / "bootstrap" / "dist"
VENDOR_STATIC_FILES = {
    f"vendor/bootstrap/{name}": _BOOTSTRAP / name
    for name in (
        "css/bootstrap.min.css",
        "css/bootstrap.min.css.map",
        "js/bootstrap.bundle.min.js",
        "js/bootstrap.bundle.min.js.map",
    )
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

# --- Security ----------------------------------------------------------------------------------
# Production defaults whenever DEBUG is off; `python manage.py check --deploy` passes with them
# (tests/clinic/test_security.py). Plain-HTTP use on 127.0.0.1 (`make serve`, the stack test, the
# test suite) turns off the redirect and the Secure cookies with SECURE_SSL_REDIRECT=0 and
# SECURE_COOKIES=0.

USE_X_FORWARDED_HOST = False
# The TLS-terminating proxy in front says the original scheme in this header. It must set (not
# pass on) the header; empty turns it off.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes /healthz and /livez, and Prometheus scrapes /metrics, over plain HTTP inside
# the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a one-way decision for whoever owns the domain (it covers every subdomain, for
# months), so it is off until they choose it; until then the check that asks for it is silenced.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Permissions-Policy (clinic.middleware.PermissionsPolicyMiddleware): features no page of the site
# uses, refused to every page and frame. A feature maps to the origins allowed it ("self"); empty: none.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "web-share", "xr-spatial-tracking",
    )
}  # fmt: skip
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"

# Secure cookies with the __Host- prefix: sent over HTTPS only, for this host only (no Domain), for
# the whole path. Browsers refuse a __Host- cookie without Secure, so the prefix goes with it.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # nothing of ours reads it from JavaScript; forms carry the token

# Content-Security-Policy (django-csp): everything from this site only, no inline script or
# style, no plugins, no framing. No nonce: public pages are cached whole and served to everyone.
# data: images are Bootstrap's inline SVG icons (select arrows, close buttons, the menu icon).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# --- Staff sign-in -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after AXES_FAILURE_LIMIT failed sign-ins for one username from one address, that
# pair is refused (429 and a page saying when to try again) for AXES_COOLOFF_MINUTES. Every attempt is
# recorded: successes and sign-outs in "Access logs", failures in "Access failures" (admin, Axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "clinic.staff.lockout_response"  # templates/clinic/lockout.html, 429
# The client's address behind TRUSTED_PROXIES (clinic.middleware.ClientAddressMiddleware).
AXES_CLIENT_IP_CALLABLE = "clinic.middleware.client_ip"
# Also per address, whatever the usernames: AXES_ADDRESS_FAILURE_LIMIT failed sign-ins from one
# address lock it for the cool-off (clinic.staff.AddressAwareAxesHandler), so trying a password on
# many usernames from one address stops too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=12)
AXES_HANDLER = "clinic.staff.AddressAwareAxesHandler"

# Signed-in staff are signed out after this long without a request, and this long after signing
# in whatever they do (clinic.middleware.StaffSessionMiddleware).
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=15)
STAFF_SESSION_MAX_AGE_HOURS = env.int("STAFF_SESSION_MAX_AGE_HOURS", default=12)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_AGE_HOURS * 3600

# TOTP second factor (django-otp), at /admin/two-factor/. With OTP_REQUIRED_FOR_HEALTH_DATA on,
# everyone who can see patients' data (any permission on inquiries, directly, through a group, or
# as a superuser) reaches admin only after entering a code from it in this session. Enrolling an
# app takes a one-time link from an administrator, valid OTP_ENROLMENT_LINK_HOURS (clinic/staff.py).
# OTP_REQUIRED_FOR_TRIAGE is the setting's former name, still read when the new one is unset.
OTP_REQUIRED_FOR_HEALTH_DATA = env.bool(
    "OTP_REQUIRED_FOR_HEALTH_DATA", default=env.bool("OTP_REQUIRED_FOR_TRIAGE", default=False)
)
OTP_ENROLMENT_LINK_HOURS = env.int("OTP_ENROLMENT_LINK_HOURS", default=24)
OTP_TOTP_ISSUER = "Caring Medical"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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

# --- Monitoring (docs/operations.md) -----------------------------------------------------------

# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, the page is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Exceptions to Sentry, scrubbed of patient data (clinic/sentry.py); off unless SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from clinic import sentry

    sentry.init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )

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

# The hand-off's retry backoff (seconds, doubling from the base up to the cap); the beat sweep's
# period is INTAKE_HANDOFF_SWEEP_INTERVAL (intake block above). The production defaults suit a real
# mail server; `make chaos` shortens them to run quickly.
INTAKE_RETRY_BASE_DELAY = env.int("INTAKE_RETRY_BASE_DELAY", default=30)
INTAKE_RETRY_MAX_DELAY = env.int("INTAKE_RETRY_MAX_DELAY", default=600)
