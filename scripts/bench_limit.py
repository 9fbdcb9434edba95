"""`make bench`'s L, the limit: a WSGI app returning one page's bytes from memory (BENCH_BODY, a file)."""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_BODY"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]
if os.environ.get("BENCH_ENCODING"):
    HEADERS += [("Content-Encoding", os.environ["BENCH_ENCODING"]), ("Vary", "Accept-Encoding")]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
