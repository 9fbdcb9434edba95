"""Upload pressure: do large pictures slow everyone else down? (issue 14, "bounded cost")

Starts the production-like stack (scripts/support/stack.py: gunicorn with gunicorn.conf.py, a
private redis-server, a database of its own, UPLOAD_PRESSURE_DATABASE_URL, default
clinic_bench_uploads, dropped and made anew) and, for each scenario, keeps 10 uploads of one
picture in flight for SECONDS while one visitor reads other pages in a loop; prints the pages'
p50/p99/max latency next to a quiet baseline, and the uploads' answers (302: stored; 200: the
form again with the picture refused). Scenarios: a 40-megapixel WebP (8000x5000, over the
pixel ceiling: refused from its header) and a 23.9-megapixel JPEG (under it: decoded and stored).

    .venv/bin/python scripts/upload_pressure.py
"""

import io
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.loadgen import HIDDEN, candidate_answers  # noqa: E402
from scripts.support.stack import Stack  # noqa: E402

HIDDEN_NAMES = {"csrfmiddlewaretoken", "started", "submission_token"}

DATABASE_URL = os.environ.get("UPLOAD_PRESSURE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench_uploads")
SECONDS = float(os.environ.get("UPLOAD_PRESSURE_SECONDS", "20"))
PARALLEL = 10
PAGES = ["/", "/treatments/", "/ask/", "/contact/"]


def picture(fmt: str, size: tuple[int, int], noise: float) -> bytes:
    """A picture of `size` that compresses like a scan: gradients with sensor-like noise, so the
    file is as large as a real one (noise 38 makes the 40 MP WebP about 3.8 MB, as in issue 14)."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(size)
    grain = Image.blend(gradient, Image.effect_noise(size, noise), 0.3)
    image = Image.merge("RGB", (grain, gradient.transpose(Image.Transpose.ROTATE_180), grain))
    out = io.BytesIO()
    image.save(out, fmt, quality=80)
    return out.getvalue()


class KeepRedirect(urllib.request.HTTPRedirectHandler):
    """A stored submission answers 302 to the thank-you page: count it as 302, don't follow it."""

    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), KeepRedirect())

    def get(self, path: str) -> tuple[int, float, str]:
        start = time.perf_counter()
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                body = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as err:
            body, status = err.read().decode(), err.code
        return status, time.perf_counter() - start, body

    def upload(self, image: bytes, filename: str, fields: dict) -> int:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
                )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + image
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base_url + "/candidate/",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code


def form_fields(visitor: Visitor) -> dict:
    """Today's candidacy answers (scripts/support/answers.py) with the page's hidden fields."""
    _, _, page = visitor.get("/candidate/")
    hidden = dict(HIDDEN.findall(page))
    if len(hidden) < 3:
        raise SystemExit(f"/candidate/ has no form fields {sorted(HIDDEN_NAMES - set(hidden))}")
    # CAPTCHA_TEST_MODE is on for this stack: the proof of work passes without solving it.
    return {**candidate_answers("load@example.com"), **hidden, "altcha": "test"}


def latencies(base_url: str, stop: threading.Event) -> list[float]:
    visitor, times = Visitor(base_url), []
    while not stop.is_set():
        for path in PAGES:
            status, seconds, _ = visitor.get(path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            times.append(seconds)
    return times


def summary(times: list[float]) -> str:
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98]
    ms = [round(v * 1000) for v in (statistics.median(times), p99, max(times))]
    return f"{len(times)} page reads, p50 {ms[0]} ms, p99 {ms[1]} ms, max {ms[2]} ms"


def scenario(base_url: str, image: bytes | None, filename: str) -> tuple[str, dict]:
    stop = threading.Event()
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def uploader():
        visitor = Visitor(base_url)
        fields = form_fields(visitor)
        while not stop.is_set():
            status = visitor.upload(image, filename, {**fields, "submission_token": str(uuid.uuid4())})
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=uploader) for _ in range(PARALLEL if image else 0)]
    result: list[float] = []
    reader = threading.Thread(target=lambda: result.extend(latencies(base_url, stop)))
    for thread in threads:
        thread.start()
    reader.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in [*threads, reader]:
        thread.join(timeout=180)
    return summary(result), statuses


def main() -> int:
    env = {"INTAKE_RATE_LIMIT": "100000/h", "INTAKE_MIN_FILL_SECONDS": "0", "LOG_LEVEL": "ERROR"}
    webp = picture("WEBP", (8000, 5000), noise=38)
    jpeg = picture("JPEG", (6000, 3980), noise=32)
    print(
        f"upload-pressure: WebP 8000x5000 {len(webp) / 1e6:.1f} MB, JPEG 6000x3980 {len(jpeg) / 1e6:.1f} MB", flush=True
    )
    with Stack("upload-pressure", database_url=DATABASE_URL, env=env) as stack:
        stack.start_redis()
        stack.release()
        stack.start_web(CAPTCHA_TEST_MODE="1")
        workers = os.environ.get("WEB_CONCURRENCY") or "gunicorn.conf.py default"
        print(f"upload-pressure: gunicorn on {stack.base_url} (workers: {workers}), {SECONDS:.0f}s per scenario")
        for label, image, name in [
            ("quiet (no uploads)", None, ""),
            (f"{PARALLEL} parallel 40 MP WebP uploads", webp, "scan.webp"),
            (f"{PARALLEL} parallel 23.9 MP JPEG uploads", jpeg, "scan.jpg"),
        ]:
            line, statuses = scenario(stack.base_url, image, name)
            print(f"{label}: other pages {line}; upload answers {statuses or '-'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
