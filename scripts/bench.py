"""`make bench`: throughput and latency of the production-like stack on this machine, as ratios.

Starts the stack the way `make serve` does (release steps, collectstatic, gunicorn with
gunicorn.conf.py, a Celery worker) on 127.0.0.1 against its own PostgreSQL database
(BENCH_DATABASE_URL, default clinic_bench, dropped and made anew) and a private redis-server, with
an SMTP sink in this process. Then, in one run:

1. the home page, an article and a case study against a static file of the same size served by the
   same gunicorn (whitenoise): requests/s and p99 with wrk --latency (installed with apt-get if
   missing); the pages come from the page cache after the first request;
2. candidacy form POSTs (each with a fresh CSRF token, solved proof of work and submission token; the
   hand-off is queued to the worker) against GETs of the form, from a small Python client;
3. the admin inquiry changelist with 10,000 inquiries and 50 staff users: p99 through gunicorn with
   a signed-in session cookie, and queries per request counted in this process.

Bounded: every wrk run lasts BENCH_SECONDS (default 5; 3 alternating rounds per page), the form
client at most BENCH_POSTS (default 200) submissions or 120 s. Everything started is stopped on exit, Ctrl-C or failure.
"""

import os
import statistics
import sys
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.loadgen import UNTHROTTLED, ensure_wrk, median_run, paced_submissions, wrk  # noqa: E402
from scripts.support.processes import fetch  # noqa: E402
from scripts.support.smtp import SmtpSink  # noqa: E402
from scripts.support.stack import Stack  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = 3  # alternating static / page wrk runs per page
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
POSTS = int(os.environ.get("BENCH_POSTS", "200"))
POST_CLIENTS = 4
POST_TIME_LIMIT = 120
INQUIRIES = 10_000
STAFF = 50
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench")


# --- seeding (in this process, through Django) -----------------------------------------------------


def seed() -> str:
    """10,000 inquiries with their sent emails and 50 staff users; returns a signed-in session key."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from clinic.models import Office
    from intake.models import Inquiry, OutboxMessage

    offices = list(Office.objects.all())
    statuses = [s for s, _ in Inquiry.Status.choices]
    kinds = [k for k, _ in Inquiry.Kind.choices]
    now = timezone.now()
    inquiries = [
        Inquiry(
            kind=kinds[i % len(kinds)],
            reference=f"KN-BENCH-{i:06d}",
            submission_token=uuid.uuid4(),
            status=statuses[i % len(statuses)],
            first_name=f"Bench{i}",
            last_name="Patient",
            email=f"bench{i}@example.com",
            office=offices[i % len(offices)],
            consent_to_contact=True,
            knees="both",
            suggested_type=(i % 4) or None,
            suggestion_reasons=["seeded for the benchmark"],
        )
        for i in range(INQUIRIES)
    ]
    Inquiry.objects.bulk_create(inquiries, batch_size=1000)
    ids = Inquiry.objects.filter(reference__startswith="KN-BENCH-").values_list("pk", flat=True)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(inquiry_id=pk, kind=kind, status=OutboxMessage.Status.SENT, attempts=1, sent_at=now)
            for pk in ids
            for kind in (OutboxMessage.Kind.STAFF_NOTIFICATION, OutboxMessage.Kind.PATIENT_CONFIRMATION)
        ],
        batch_size=2000,
    )
    User.objects.bulk_create(
        [User(username=f"staff{i}", email=f"staff{i}@example.com", is_staff=True) for i in range(STAFF)]
    )
    admin = User.objects.create_superuser("bench-admin", "bench-admin@example.com", None)
    client = Client()
    client.force_login(admin)
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def page_paths() -> dict[str, str]:
    from articles.models import Article
    from casestudies.models import CaseStudy

    return {
        "home page": "/",
        "article page": Article.objects.published().first().get_absolute_url(),
        "case-study page": CaseStudy.objects.first().get_absolute_url(),
    }


def same_size_static_files(paths: dict[str, str], static_root: Path) -> dict[str, str]:
    """For each page, a static file of the same size (whitenoise finds it when gunicorn starts)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    files = {}
    for name, path in paths.items():
        size = len(client.get(path).content)
        target = static_root / "bench" / f"{name.replace(' ', '-')}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        filler = b"<!doctype html><title>static</title><p>" + b"x" * size
        target.write_bytes(filler[:size])
        files[name] = f"/static/bench/{target.name}"
    return files


def admin_queries(session_key: str) -> tuple[int, int, float]:
    """(status, queries, median ms of 5 renders) of the admin changelist, in this process."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get("/admin/intake/inquiry/")  # warm: content types, permissions
    # Counted by an execute wrapper rather than CaptureQueriesContext, whose log is cleared when
    # CONN_MAX_AGE makes the request reconnect (it then reports 0).
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        status = client.get("/admin/intake/inquiry/").status_code
    times = []
    for _ in range(5):
        start = time.perf_counter()
        client.get("/admin/intake/inquiry/")
        times.append((time.perf_counter() - start) * 1000)
    return status, len(queries), statistics.median(times)


# --- the candidacy form ----------------------------------------------------------------------------


def form_load(port: int) -> dict:
    """BENCH_POSTS candidacy submissions from 4 clients as fast as they go (bounded in time)."""
    emails = [f"bench-post{i}@example.com" for i in range(POSTS)]
    results = paced_submissions(port, emails, rate=1000.0, clients=POST_CLIENTS, time_limit=POST_TIME_LIMIT)
    return {
        "gets": [r["get"] * 1000 for r in results if r["get"] is not None],
        "posts": [r["post"] * 1000 for r in results if r["post"] is not None],
        "errors": [r["error"] for r in results if r["error"]],
    }


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# --- the run ---------------------------------------------------------------------------------------


def main() -> int:
    run_wrk = partial(wrk, ensure_wrk(), seconds=SECONDS, connections=CONNECTIONS)
    sink = SmtpSink().start()
    extra = {**sink.email_env(), **UNTHROTTLED}
    rows: list[tuple] = []
    try:
        with Stack("bench", database_url=DATABASE_URL, env=extra) as stack:
            stack.prepare()
            session_key = seed()
            paths = page_paths()
            statics = same_size_static_files(paths, Path(stack.env()["STATIC_ROOT"]))
            stack.start_web()
            stack.start_worker()
            base = stack.base_url
            workers = os.environ.get("WEB_CONCURRENCY") or "gunicorn.conf.py default"
            print(f"bench: gunicorn on {base} (workers: {workers}); {SECONDS}s per wrk run", flush=True)

            for name, path in paths.items():
                for _ in range(3):
                    status, headers, body = fetch(base + path)
                cache = headers.get("X-Page-Cache", "none")
                # Alternate static and page runs and take the median of each: other load on the
                # machine then weighs on both alike.
                runs = [(run_wrk(base + statics[name]), run_wrk(base + path)) for _ in range(ROUNDS)]
                static = median_run([s for s, _ in runs])
                page = median_run([p for _, p in runs])
                rows.append(
                    (
                        f"{name} ({len(body) // 1024} KB, cache {cache})",
                        page,
                        f"{page['rps'] / static['rps']:.2f} of static ({static['rps']:.0f} req/s, "
                        f"p99 {static['p99']:.1f} ms)",
                    )
                )
                print(f"  {rows[-1][0]}: {page['rps']:.0f} req/s, p99 {page['p99']:.1f} ms; {rows[-1][2]}", flush=True)

            load = form_load(stack.web_port)
            get_p99, post_p99 = p(load["gets"], 99), p(load["posts"], 99)
            rows.append(
                (
                    f"candidacy form GET ({len(load['gets'])})",
                    {"rps": None, "p50": p(load["gets"], 50), "p99": get_p99, "errors": 0},
                    "",
                )
            )
            rows.append(
                (
                    f"candidacy form POST ({len(load['posts'])}, hand-off queued)",
                    {"rps": None, "p50": p(load["posts"], 50), "p99": post_p99, "errors": len(load["errors"])},
                    f"p99 {post_p99 / get_p99:.2f}x the GET's (target <= 3x)",
                )
            )
            if load["errors"]:
                print(f"  form errors (first 3): {load['errors'][:3]}", flush=True)

            status, queries, render_ms = admin_queries(session_key)
            from django.conf import settings

            cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"}
            code, _, _ = fetch(base + "/admin/intake/inquiry/", headers=cookie)
            changelist = run_wrk(base + "/admin/intake/inquiry/", headers=cookie, connections=4)
            rows.append(
                (
                    f"admin inquiry changelist ({INQUIRIES:,} inquiries, {STAFF} staff)",
                    changelist,
                    f"{queries} queries/request, {render_ms:.0f} ms alone in process (HTTP {code}/{status})",
                )
            )
    except KeyboardInterrupt:
        print("bench: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    finally:
        sink.stop()

    print()
    print(
        f"make bench: {os.cpu_count()} cores, wrk -t2 -c{CONNECTIONS} -d{SECONDS}s, pages: median of {ROUNDS} "
        f"alternating runs each (admin: one run, -c4)"
    )
    print(f"| {'what':<58} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | compared |")
    print(f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|----------|")
    for name, m, note in rows:
        rps = f"{m['rps']:.0f}" if m["rps"] is not None else "-"
        print(f"| {name:<58} | {rps:>7} | {m['p50']:>7.1f} | {m['p99']:>7.1f} | {m['errors']:>6} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
