"""Optional error reports to Sentry: off unless SENTRY_DSN is set, and never with patient data.

`data_collection` tells the SDK to leave out user details, request bodies, SQL parameters, task
arguments and local variables by itself. `scrub` (before_send and before_breadcrumb) is the second
line of defence for what gets through anyway: it drops request bodies, cookies, query strings, headers other than a few
harmless ones, the user, and local variables of stack frames, and blanks anything shaped like an
email address or a phone number in messages and exception values.
"""

import re
from typing import Any

from clinic.logs import EMAIL

PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")
FILTERED = "[Filtered]"
KEPT_HEADERS = {"accept", "accept-language", "content-length", "content-type", "host", "user-agent"}


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return PHONE.sub(FILTERED, EMAIL.sub(FILTERED, value))
    if isinstance(value, list):
        return [_blank(item) for item in value]
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    return value


def _scrub_request(request: dict) -> dict:
    kept = {key: request[key] for key in ("method", "url", "env") if key in request}
    if "url" in kept:
        kept["url"] = kept["url"].split("?", 1)[0]
    headers = request.get("headers") or {}
    kept["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    return kept


def scrub(event: dict, hint: dict | None = None) -> dict:
    """An event (or breadcrumb) with names, contact details and form answers taken out."""
    event = dict(event)
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    event.pop("user", None)
    event.pop("extra", None)  # what code attached by hand: may be anything
    if isinstance(event.get("logentry"), dict):  # a log call's arguments: keep only its format string
        event["logentry"] = {"message": event["logentry"].get("message", ""), "params": []}
    if "data" in event:  # a breadcrumb's data (SQL parameters, log call arguments)
        event["data"] = {}
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if "breadcrumbs" in event:
        values = event["breadcrumbs"].get("values", []) if isinstance(event["breadcrumbs"], dict) else []
        event["breadcrumbs"] = {"values": [scrub(crumb) for crumb in values]}
    return _blank(event)


def init(dsn: str, *, environment: str, release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        # No user identity, request bodies, SQL parameters, task arguments or local variables.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        traces_sample_rate=0.0,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub,
        before_breadcrumb=scrub,
    )
