"""A request body over MAX_REQUEST_BODY is refused (413) before anything reads or stores it: in the
WSGI wrapper gunicorn runs, in Django's first middleware, and end to end through gunicorn."""

import io
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from clinic.bodylimit import BodyLimit, read_bounded
from tests.conftest import ROOT, free_port, service_env, stop_group, wait_until

HUGE = 300 * 1024 * 1024


class Endless(io.RawIOBase):
    """A request body stream of `size` bytes that counts what was read from it."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def read(self, n=-1):
        n = self.size - self.read_bytes if n is None or n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"x" * n


def call(environ) -> tuple[str, list, list]:
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b"ok"]

    status = []
    body = BodyLimit(app, settings.MAX_REQUEST_BODY)(environ, lambda s, h: status.append(s))
    return status[0], list(body), seen


def test_the_limit_is_a_little_over_the_picture_limit():
    assert settings.INTAKE_UPLOAD_MAX_BYTES < settings.MAX_REQUEST_BODY <= settings.INTAKE_UPLOAD_MAX_BYTES * 1.1


def test_a_declared_300_mb_body_is_refused_without_reading_a_byte():
    stream = Endless(HUGE)
    status, body, seen = call({"CONTENT_LENGTH": str(HUGE), "wsgi.input": stream, "REQUEST_METHOD": "POST"})
    assert status.startswith("413") and b"up to 10 MB" in body[0]
    assert stream.read_bytes == 0 and not seen


def test_a_chunked_300_mb_body_is_refused_as_soon_as_it_passes_the_limit():
    stream = Endless(HUGE)
    status, _, seen = call({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream, "REQUEST_METHOD": "POST"})
    assert status.startswith("413") and not seen
    assert settings.MAX_REQUEST_BODY < stream.read_bytes <= settings.MAX_REQUEST_BODY + 64 * 1024


def test_a_small_chunked_body_reaches_the_application_with_its_length():
    status, _, seen = call(
        {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"a=1"), "REQUEST_METHOD": "POST"}
    )
    assert status == "200 OK" and seen["body"] == b"a=1"


def test_read_bounded_keeps_a_body_of_exactly_the_limit():
    assert read_bounded(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    assert read_bounded(io.BytesIO(b"x" * 11), 10) is None


@pytest.mark.django_db
def test_django_refuses_a_declared_huge_body_before_the_view(client):
    response = client.post("/candidate/", data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(HUGE))
    assert response.status_code == 413
    assert client.post("/candidate/", {"first_name": "Ada"}).status_code != 413


def send_until_answered(port: int, head: bytes, piece: bytes, limit_bytes: int) -> tuple[bytes, int, float]:
    """Send `head`, then `piece` repeatedly (up to `limit_bytes`) until the server answers or closes;
    return the answer, the body bytes sent and the seconds taken."""
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer, pending = b"", b""
        while sent < limit_bytes and time.monotonic() - started < 60:
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
            except BlockingIOError:
                pass
            try:
                pending = pending or piece
                n = sock.send(pending)
                sent, pending = sent + n, pending[n:]
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:  # the server closed the connection
                break
        sock.setblocking(True)
        sock.settimeout(5)
        try:
            while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
                answer += chunk
        except OSError:
            pass
    return answer, sent, time.monotonic() - started


@pytest.mark.services
def test_gunicorn_refuses_300_mb_early_and_writes_nothing_to_disk(tmp_path):
    port = free_port()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    log = tmp_path / "gunicorn.log"
    env = service_env(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", TMPDIR=str(tmp), SECURE_SSL_REDIRECT="0")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or b"Booting worker" in log.read_bytes(), timeout=60, what="gunicorn"
        )
        time.sleep(1)
        request = b"POST /candidate/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        piece = b"x" * 65536

        answer, sent, seconds = send_until_answered(
            port, request + f"Content-Length: {HUGE}\r\n\r\n".encode(), piece, HUGE
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 20 * 1024 * 1024 and seconds < 10

        chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
        answer, sent, seconds = send_until_answered(port, request + b"Transfer-Encoding: chunked\r\n\r\n", chunk, HUGE)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 40 * 1024 * 1024 and seconds < 20

        assert list(tmp.iterdir()) == [], "nothing of the bodies was written to disk"
        assert proc.poll() is None
    finally:
        stop_group(proc)
