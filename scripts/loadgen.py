"""The load generator for `make bench` and `make chaos`: wrk runs and people filling in the
candidacy form at a steady pace, against a stack on 127.0.0.1 (scripts.support.stack)."""

import os
import re
import shutil
import statistics
import subprocess
import threading
import time

from scripts.support.answers import CANDIDATE_ANSWERS


def ensure_wrk() -> str:
    """The wrk load tool, installed with apt-get if missing."""
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk (apt-get)...", flush=True)
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        install = ["sudo", "-n", *install]
    if subprocess.run(install, capture_output=True, timeout=300).returncode != 0:
        subprocess.run([*install[:-4], "update", "-qq"], capture_output=True, timeout=300)
        subprocess.run(install, check=True, capture_output=True, timeout=300)
    return shutil.which("wrk") or "wrk"


# The bench and the drills submit hundreds of forms from one address at machine speed.
UNTHROTTLED = {"INTAKE_RATE_LIMIT": "1000000/h", "INTAKE_MIN_FILL_SECONDS": "0"}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(wrk_path: str, url: str, *, seconds: int, connections: int, headers: dict | None = None) -> dict:
    """requests/s, p50 and p99 (ms) and the count of non-2xx/3xx answers for one wrk run."""
    argv = [wrk_path, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def median_run(runs: list[dict]) -> dict:
    """The median of each figure over several wrk runs."""
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99", "errors")}


# --- A person filling in the candidacy form --------------------------------------------------------

HIDDEN = re.compile(r'<input[^>]*name="(csrfmiddlewaretoken|started|submission_token)"[^>]*value="([^"]*)"')


def candidate_answers(email_address: str) -> dict:
    return {
        **CANDIDATE_ANSWERS,
        "first_name": "Load",
        "last_name": "Test",
        "email": email_address,
        "website": "",
    }


class FormVisitor:
    """One browser on 127.0.0.1: GET the candidacy form, solve its ALTCHA proof of work as the page's
    widget does (GET the challenge, find the counter), POST it, and optionally open the thank-you page.
    Keeps its cookies and one keep-alive connection."""

    def __init__(self, port: int, *, timeout: float = 30):
        import http.client

        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._http = http.client
        self.conn = None

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        from http.cookies import SimpleCookie

        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = self._http.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (self._http.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed a kept-alive connection: one fresh try
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response, data, elapsed

    def submit(self, email_address: str, *, open_thanks: bool = False) -> dict:
        """One submission: {'get', 'post', 'thanks' (seconds), 'status', 'ok', 'error', 'done_at'}."""
        import json
        from urllib.parse import urlencode

        import altcha

        result = {"get": None, "post": None, "thanks": None, "status": None, "ok": False, "error": ""}
        try:
            status, _, page, result["get"] = self._request("GET", "/candidate/")
            hidden = dict(HIDDEN.findall(page.decode(errors="replace")))
            if status != 200 or len(hidden) < 3:
                result["error"] = f"GET /candidate/ answered {status}"
                return result
            _, _, body, _ = self._request("GET", "/altcha/challenge/")
            challenge = altcha.Challenge.from_dict(json.loads(body))
            proof = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
            form = {**candidate_answers(email_address), **hidden, "altcha": proof}
            status, response, page, result["post"] = self._request(
                "POST", "/candidate/", urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
            )
            result["status"] = status
            result["done_at"] = time.time()
            if status != 302 or "/thanks/" not in (response.getheader("Location") or ""):
                blocks = re.findall(
                    r"(?:invalid-feedback|alert-danger)[^>]*>(.{0,600}?)</div>", page.decode(errors="replace"), re.S
                )
                found = [text for block in blocks if (text := " ".join(re.sub(r"<[^>]+>", " ", block).split()))]
                result["error"] = f"POST answered {status}: {found[:2]}"
                return result
            if open_thanks:
                status, _, page, result["thanks"] = self._request("GET", "/thanks/")
                if status != 200 or b"KN-" not in page:
                    result["error"] = f"thank-you page answered {status}"
                    return result
            result["ok"] = True
        except Exception as exc:  # a refused or timed-out connection is a result to report, not a crash
            result["error"] = f"{type(exc).__name__}: {exc}"
            self.close()
        return result

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def paced_submissions(
    port: int, emails: list[str], *, rate: float, clients: int, time_limit: float, open_thanks: bool = False
) -> list[dict]:
    """Submit one candidacy form per address at a steady `rate` per second from `clients` threads.

    Bounded: stops starting new submissions after `time_limit` seconds. Returns one result per
    address submitted (see FormVisitor.submit), with its 'email'.
    """
    from django.db import connection

    jobs = list(enumerate(emails))
    lock = threading.Lock()
    results: list[dict] = []
    start = time.monotonic()

    def run():
        visitor = FormVisitor(port)
        try:
            while True:
                with lock:
                    if not jobs:
                        return
                    index, address = jobs.pop(0)
                due = start + index / rate
                if due - start > time_limit:
                    return
                time.sleep(max(0.0, due - time.monotonic()))
                result = visitor.submit(address, open_thanks=open_thanks)
                result["email"] = address
                with lock:
                    results.append(result)
        finally:
            visitor.close()
            connection.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=time_limit + 120)
    return results
