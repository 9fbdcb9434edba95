"""Structured logs: one JSON object per line, with nothing of what a patient wrote.

Log calls carry ids and inquiry references only (see intake/services/). This formatter is the
second line of defence for what other code logs: Django's request object is reduced to method and
path (its repr carries the query string, e.g. search terms), and anything shaped like an email
address, in a message or a traceback (an SMTP error names its recipients), is blanked.
"""

import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[email]"


def redact(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub(REDACTED, value)
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


class JsonFormatter(_JsonFormatter):
    """JSON lines with time, level, logger and message, plus any `extra=` fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        super().__init__("{asctime}{levelname}{name}{message}", *args, style="{", **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        request = log_data.pop("request", None)
        if request is not None and hasattr(request, "path"):
            log_data["method"] = request.method
            log_data["path"] = request.path  # never the query string

    def process_log_record(self, log_data):
        return {key: redact(value) for key, value in log_data.items()}
