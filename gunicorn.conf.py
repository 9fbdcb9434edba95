"""gunicorn settings for production; every value can be overridden from the environment."""

import os
import sys
from pathlib import Path

# gunicorn reads this file before it puts the working directory on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from clinic.bodylimit import DEFAULT_MAX_REQUEST_BODY
from clinic.cpus import available_cpus  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers with threads: the pages are short database reads; threads cover slow clients, and
# leave a page reader a free thread while large uploads wait for their turn (clinic/uploadturns.py).
# Sized from the container's CPU quota (clinic/cpus.py), not the host's cores.
workers = int(os.environ.get("WEB_CONCURRENCY", available_cpus() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. Not too often: a cached page
# takes about a millisecond, so 2,000 requests came round every few seconds under load, and each
# restart re-imports Django (`make bench` measured 98 restarts in a minute).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = 2000
# Trust X-Forwarded-* only from the proxy in front of us (set FORWARDED_ALLOW_IPS to its address).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# GUNICORN_ACCESS_LOG= (empty) turns the access log off (`make bench` measures what it costs).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# No query strings in the access log: search terms are the patient's business.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'

# gunicorn's own error and access logs as JSON lines, like the application's (clinic/logs.py), unless
# LOG_FORMAT=plain. Same default as the settings: plain only for development (DEBUG on).
_debug = os.environ.get("DEBUG", "").lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    # Access lines built cheaply and written in batches; page-cache hits sampled (clinic/accesslog.py).
    logger_class = "clinic.accesslog.AccessLogger"
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "clinic.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


# Request bodies over MAX_REQUEST_BODY are answered 413 by clinic.bodylimit.BodyLimit (wrapped round
# the application in clinic/wsgi.py) before anything reads them. gunicorn would then read and discard
# the rest of such a body to keep the connection alive; closing it instead costs the client nothing.
_max_request_body = int(os.environ.get("MAX_REQUEST_BODY", DEFAULT_MAX_REQUEST_BODY))


def pre_request(worker, req):
    for name, value in req.headers:
        too_long = name == "CONTENT-LENGTH" and value.isdigit() and int(value) > _max_request_body
        if too_long or (name == "TRANSFER-ENCODING" and "chunked" in value.lower()):
            req.must_close = True


def worker_exit(server, worker):
    """Write the access lines still waiting in this worker's batch."""
    flush = getattr(worker.log, "flush_access", None)
    if flush is not None:
        flush()
