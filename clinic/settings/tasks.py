"""Celery, the intake hand-off's timings and limits, and email."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from clinic.bodylimit import DEFAULT_MAX_REQUEST_BODY
from clinic.cpus import available_cpus

from .core import *  # noqa: F403 (env, DEBUG, paths and the data stores these settings build on)

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

# The forms' ALTCHA proof of work (intake.proof_of_work). Test mode passes it without solving, so
# that automated tests can submit the forms; intake.E001 refuses it with DEBUG off.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)
# Inquiries held as suspected spam (a soft check failed) that nobody released are deleted after
# this many days by purge_inquiries.
INTAKE_SUSPECTED_SPAM_DAYS = env.int("INTAKE_SUSPECTED_SPAM_DAYS", default=30)
# Per-IP limit on form submissions, counted in the cache (Redis in production). If the cache is
# down the limit fails open: the other layers (proof of work, honeypot, fill time) still apply, and a
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
# Large uploads (a multipart body of UPLOAD_TURN_MIN_BYTES or more) take turns, UPLOAD_TURNS at once on
# this host, each waiting up to UPLOAD_TURN_WAIT_SECONDS before going ahead anyway (clinic/uploadturns.py).
UPLOAD_TURNS = env.int("UPLOAD_TURNS", default=1)
UPLOAD_TURN_MIN_BYTES = env.int("UPLOAD_TURN_MIN_BYTES", default=256 * 1024)
UPLOAD_TURN_WAIT_SECONDS = env.float("UPLOAD_TURN_WAIT_SECONDS", default=20.0)
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


# Triage in admin. A new inquiry is overdue after TRIAGE_SLA_HOURS of its office's open hours
# (clinic/hours.py), and "due soon" within TRIAGE_DUE_SOON_HOURS (wall-clock) of that; closed ones
# and their images are removed by purge_inquiries INQUIRY_RETENTION_DAYS after they were closed.
# 8 open hours: about one working day, as the site promises ("We aim to answer within one working day").
TRIAGE_SLA_HOURS = env.int("TRIAGE_SLA_HOURS", default=8)
TRIAGE_DUE_SOON_HOURS = env.int("TRIAGE_DUE_SOON_HOURS", default=2)
INQUIRY_RETENTION_DAYS = env.int("INQUIRY_RETENTION_DAYS", default=365)
# The same purge removes suspected spam after INTAKE_SUSPECTED_SPAM_DAYS (above), and newsletter
# sign-ups not confirmed within SUBSCRIBER_CONFIRM_DAYS (docs/privacy.md, "Retention").
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
