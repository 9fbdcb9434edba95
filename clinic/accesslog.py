"""gunicorn's access log, cheap: JSON lines like clinic.logs writes, built and written in batches.

Set as `logger_class` in gunicorn.conf.py when the logs are JSON.
"""

import json
import os
import sys
import threading
import time

from gunicorn.glogging import Logger

from .logs import redact


class AccessLogger(Logger):
    """gunicorn's logger, with access lines made cheaply and written in batches.

    Each access line is the JSON object clinic.logs.JsonFormatter would write (time, level, logger
    and the message of gunicorn.conf.py's access_log_format, built here directly: that setting is not
    read) but made with one json.dumps, and lines are written
    to stdout together: when 16 KB are waiting, and at least every half second by a thread of the
    worker (and when the worker exits). Page-cache hits, the bulk of the traffic and all alike, are
    sampled: one in ACCESS_LOG_HIT_SAMPLE is written, with `"sample": N` so counts can be scaled.
    """

    FLUSH_BYTES = 16384
    FLUSH_SECONDS = 0.5

    def setup(self, cfg):
        super().setup(cfg)
        self._hit_sample = max(1, int(os.environ.get("ACCESS_LOG_HIT_SAMPLE", "10")))
        self._hits = 0
        self._pending: list[str] = []
        self._pending_bytes = 0
        self._lock = threading.Lock()
        self._flusher_pid = None

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled or self.cfg.accesslog != "-":
            return super().access(resp, req, environ, request_time)
        sample = None
        if ("X-Page-Cache", "hit") in resp.headers:
            self._hits += 1  # a lost increment between threads only shifts which hit is written
            if self._hits % self._hit_sample:
                return None
            sample = self._hit_sample
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        message = '{} "{} {} {}" {} {} {}.{:06d}s'.format(
            environ.get("REMOTE_ADDR", "-"),
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),  # never the query string
            environ.get("SERVER_PROTOCOL"),
            status,
            resp.sent if resp.sent is not None else "-",
            request_time.seconds,
            request_time.microseconds,
        )
        now = time.time()
        entry = {
            "time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)) + f",{int(now * 1000) % 1000:03d}",
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": redact(message),
        }
        if sample:
            entry["sample"] = sample
        line = json.dumps(entry) + "\n"
        with self._lock:
            self._pending.append(line)
            self._pending_bytes += len(line)
            full = self._pending_bytes >= self.FLUSH_BYTES
        if full:
            self.flush_access()
        if self._flusher_pid != os.getpid():  # first line in this worker (threads do not survive fork)
            self._flusher_pid = os.getpid()
            threading.Thread(target=self._flush_every, daemon=True, name="access-log").start()
        return None

    def flush_access(self) -> None:
        with self._lock:
            lines, self._pending, self._pending_bytes = self._pending, [], 0
        if lines:
            data = memoryview("".join(lines).encode())
            try:
                while data:
                    data = data[os.write(sys.stdout.fileno(), data) :]
            except OSError:
                pass  # stdout gone: nowhere to log to

    def _flush_every(self) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            self.flush_access()
