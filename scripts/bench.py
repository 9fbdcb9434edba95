"""`make bench`: throughput and latency of the production-like stack on this machine, as ratios.

Starts the stack the way `make serve` does (release steps, collectstatic, gunicorn with
gunicorn.conf.py, a Celery worker) on 127.0.0.1 against its own PostgreSQL database
(BENCH_DATABASE_URL, default clinic_bench, dropped and made anew) and a private redis-server, with
an SMTP sink in this process. Then, in one run:

1. the home page, an article and a case study against a static file of the same size served by the
   same gunicorn (whitenoise): requests/s and p99 with wrk --latency (installed with apt-get if
   missing); the pages come from the page cache after the first request;
2. candidacy form POSTs (each with a fresh CSRF token, solved proof of work and submission token; the
   hand-off is queued to the worker) against GETs of the form, from a small Python client, and the
   GET timed alone in this process;
3. the admin inquiry changelist with 10,000 inquiries (with health answers) and 50 staff users: p99
   through gunicorn with a signed-in session cookie, and queries and time per request alone in this
   process; then the admin change page of one candidacy inquiry (its health details decrypted);
   the same for the reports page (part "reports": its default 12 weeks, a contact attempt on every
   other inquiry);
4. the reference targets, each under the same gunicorn settings (gunicorn.conf.py): L, the limit, a
   ten-line WSGI app returning the article page's bytes from memory (scripts/bench_limit.py), with and
   without the access log; M, a minimal Django view rendering a template of the article page's size
   (scripts/bench_minimal.py); and the site again with the page cache off (every request a miss).
   Printed as ratios: article from the page cache / L, L with the access log / L without, article,
   home and case history with the page cache off / M; and the pages' bytes on the wire.

BENCH_PARTS (default "pages,form,admin,reports,limits") picks what runs, e.g. BENCH_PARTS=reports.

Bounded: every wrk run lasts BENCH_SECONDS (default 5; 3 alternating rounds per page), the form
client at most BENCH_POSTS (default 200) submissions or 120 s. Everything started is stopped on exit, Ctrl-C or failure.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import loadgen  # noqa: E402
from scripts.loadgen import UNTHROTTLED, ensure_wrk, median_run, paced_submissions  # noqa: E402
from scripts.support.processes import BIN, fetch, free_port, wait_until  # noqa: E402
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
PARTS = set(os.environ.get("BENCH_PARTS", "pages,form,admin,reports,limits").split(","))
# What a browser sends; the page cache answers brotli, GZipMiddleware (and M's) gzip.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def wrk(wrk_path: str, url: str, **options) -> dict:
    """One wrk run (scripts.loadgen.wrk) lasting BENCH_SECONDS with BENCH_CONNECTIONS unless told."""
    return loadgen.wrk(wrk_path, url, **{"seconds": SECONDS, "connections": CONNECTIONS, **options})


# --- seeding (in this process, through Django) -----------------------------------------------------


def seed(*, reports: bool = False) -> str:
    """10,000 inquiries with health answers, due times and sent emails, 50 staff users (and for the
    reports, a first contact attempt on every other inquiry, by the staff in turn); a session key."""
    from scripts.support.seed import seed as seed_rows

    def today_only():
        from django.contrib.auth.models import User

        from intake.models import ContactAttempt, Inquiry
        from intake.services import recompute_due_dates

        recompute_due_dates()  # as submit_inquiry stores them (issue 19)
        if reports:
            staff = list(User.objects.filter(username__startswith="staff"))
            ids = Inquiry.objects.filter(reference__startswith="KN-BENCH-").values_list("pk", flat=True)
            ContactAttempt.objects.bulk_create(
                [
                    ContactAttempt(inquiry_id=pk, channel="phone", outcome="reached", by=staff[n % len(staff)])
                    for n, pk in enumerate(ids[::2])
                ],
                batch_size=2000,
            )

    return seed_rows(INQUIRIES, STAFF, after_rows=today_only)


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


def in_process(path: str, session_key: str | None = None, renders: int = 9) -> tuple[int, int, float, float]:
    """(status, queries, median ms, median CPU ms of this process) of `renders` GETs of `path` in
    this process (Django's test client, the stack's database and Redis), after a warm one."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # warm: content types, permissions, templates, the per-version copies
    # Counted by an execute wrapper rather than CaptureQueriesContext, whose log is cleared when
    # CONN_MAX_AGE makes the request reconnect (it then reports 0).
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        status = client.get(path).status_code
    times, cpu = [], []
    for _ in range(renders):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return status, len(queries), statistics.median(times), statistics.median(cpu)


def change_page(wrk_path: str, base: str, cookie: dict) -> tuple:
    """The admin change page of the first seeded candidacy inquiry, its health details decrypted
    (each view is also recorded in its audit trail, as for staff)."""
    from scripts.support.seed import candidacy_change_path

    url = base + candidacy_change_path()
    code, _, body = fetch(url, headers=cookie)
    result = wrk(wrk_path, url, headers=cookie, connections=4)
    return (f"admin inquiry change page (candidacy, {len(body) // 1024} KB)", result, f"HTTP {code}")


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


# --- the reference targets (L, M) and the ratios against them ---------------------------------------


def start_target(stack: Stack, name: str, app: str, **env) -> str:
    """Another gunicorn with gunicorn.conf.py, serving `app` on its own port; returns its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [str(BIN / "gunicorn"), app, "--config", "gunicorn.conf.py"]
    proc = stack._start(name, argv, GUNICORN_BIND=f"127.0.0.1:{port}", PORT=str(port), **env)
    wait_until(
        lambda: proc.poll() is not None or fetch(base + "/", timeout=2)[0] is not None,
        timeout=60,
        interval=0.5,
        what=f"{name} to answer",
    )
    if proc.poll() is not None:
        raise SystemExit(f"{name} exited:\n{(stack.dir / f'{name}.log').read_text()[-3000:]}")
    return base


def alternate(wrk_path: str, a_url: str, b_url: str, headers: dict) -> tuple[dict, dict]:
    """Median of ROUNDS alternating wrk runs of A and B: other load on the machine weighs on both alike."""
    runs = [(wrk(wrk_path, a_url, headers=headers), wrk(wrk_path, b_url, headers=headers)) for _ in range(ROUNDS)]
    return median_run([a for a, _ in runs]), median_run([b for _, b in runs])


def reference_targets(stack: Stack, paths: dict[str, str]) -> dict[str, str]:
    """Start L (with and without the access log), M and the site with the page cache off."""
    work = stack.dir / "reference"
    work.mkdir(exist_ok=True)
    article = paths["article page"]
    # L sends the article page exactly as the page cache sends it to a browser (brotli).
    status, headers, body = fetch(stack.base_url + article, headers=BROWSER)
    assert status == 200 and headers.get("Content-Encoding") == "br", (status, headers)
    (work / "article.br").write_bytes(body)
    # M renders a template the size of the article page (its HTML, plus two variables).
    html = fetch(stack.base_url + article)[2].decode()
    for tag in ("{{", "{%", "{#"):
        html = html.replace(tag, tag[0] + " " + tag[1])
    html = re.sub(r"<title>.*?</title>", "<title>{{ title }}</title>", html, count=1, flags=re.S)
    (work / "page.html").write_text(html.replace("</main>", "<p>{{ path }}</p></main>", 1))
    limit = {"BENCH_BODY": str(work / "article.br"), "BENCH_ENCODING": "br"}
    return {
        "L": start_target(stack, "limit", "scripts.bench_limit:application", **limit),
        "L without access log": start_target(
            stack, "limit-nolog", "scripts.bench_limit:application", GUNICORN_ACCESS_LOG="", **limit
        ),
        "M": start_target(stack, "minimal", "scripts.bench_minimal:application", BENCH_TEMPLATE_DIR=str(work)),
        "cache off": start_target(stack, "web-nocache", "clinic.wsgi:application", PAGE_CACHE="0"),
    }


def ratio_rows(wrk_path: str, stack: Stack, paths: dict[str, str], targets: dict[str, str]) -> list[tuple]:
    """(what, A, B, target) for each ratio issue 18 asks for."""
    base, off = stack.base_url, targets["cache off"]
    plan = [
        ("article from the page cache / L", base + paths["article page"], targets["L"], ">= 0.8, p99 <= 1.5x"),
        ("L with the access log / L without", targets["L"], targets["L without access log"], "costs little"),
        ("article, page cache off / M", off + paths["article page"], targets["M"], ">= 0.5"),
        ("home page, page cache off / M", off + paths["home page"], targets["M"], ">= 0.5"),
        ("case history, page cache off / M", off + paths["case-study page"], targets["M"], ">= 0.5"),
    ]
    rows = []
    for what, a_url, b_url, target in plan:
        for url in (a_url, b_url):  # warm every worker: imports, templates, the chrome, the page cache
            wrk(wrk_path, url, headers=BROWSER, seconds=1)
        a, b = alternate(wrk_path, a_url, b_url, BROWSER)
        rows.append((what, a, b, target))
        print(f"  {what}: {a['rps']:.0f} / {b['rps']:.0f} req/s = {a['rps'] / b['rps']:.2f}", flush=True)
    return rows


def wire_bytes(base: str, paths: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    """(page, HTML bytes as they are, gzip, brotli, brotli HTML + its CSS and JS) from the cached site."""
    rows = []
    for name, path in paths.items():
        sizes = {}
        for coding in ("identity", "gzip", "br"):
            _, _, body = fetch(base + path, headers={"Accept-Encoding": coding})
            sizes[coding] = len(body)
        _, _, html = fetch(base + path)
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        total = sizes["br"] + sum(len(fetch(base + a.decode(), headers={"Accept-Encoding": "br"})[2]) for a in assets)
        rows.append((name, sizes["identity"], sizes["gzip"], sizes["br"], total))
    return rows


def print_ratios(rows: list[tuple], wire: list[tuple]) -> None:
    print()
    print(f"Ratios (median of {ROUNDS} alternating runs each, wrk -t2 -c{CONNECTIONS}, Accept-Encoding: gzip, br)")
    print(f"| {'what':<36} | {'A req/s':>8} | {'B req/s':>8} | {'ratio':>5} | {'p99 A':>8} | {'p99 B':>8} | target |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|{'-' * 7}|{'-' * 10}|{'-' * 10}|--------|")
    for what, a, b, target in rows:
        print(
            f"| {what:<36} | {a['rps']:>8.0f} | {b['rps']:>8.0f} | {a['rps'] / b['rps']:>5.2f} | {a['p99']:>8.1f} | "
            f"{b['p99']:>8.1f} | {target} |"
        )
    print()
    print("HTML on the wire (bytes; the last column adds the page's CSS and JS, brotli)")
    print(f"| {'page':<16} | {'as is':>7} | {'gzip':>7} | {'brotli':>7} | {'with CSS/JS':>11} |")
    print(f"|{'-' * 18}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 13}|")
    for name, plain, gz, br, total in wire:
        print(f"| {name:<16} | {plain:>7} | {gz:>7} | {br:>7} | {total:>11} |")


# --- the run ---------------------------------------------------------------------------------------


def main() -> int:
    wrk_path = ensure_wrk()
    sink = SmtpSink().start()
    extra = {**sink.email_env(), **UNTHROTTLED}
    rows: list[tuple] = []
    ratios: list[tuple] = []
    wire: list[tuple] = []
    try:
        with Stack("bench", database_url=DATABASE_URL, env=extra) as stack:
            stack.prepare()
            session_key = seed(reports="reports" in PARTS) if PARTS & {"admin", "reports"} else None
            paths = page_paths()
            statics = same_size_static_files(paths, Path(stack.env()["STATIC_ROOT"]))
            stack.start_web()
            stack.start_worker()
            base = stack.base_url
            workers = os.environ.get("WEB_CONCURRENCY") or "gunicorn.conf.py default"
            print(f"bench: gunicorn on {base} (workers: {workers}); {SECONDS}s per wrk run", flush=True)

            if "pages" in PARTS:
                for name, path in paths.items():
                    for _ in range(3):
                        status, headers, body = fetch(base + path)
                    cache = headers.get("X-Page-Cache", "none")
                    # Alternate static and page runs and take the median of each: other load on the
                    # machine then weighs on both alike.
                    runs = [(wrk(wrk_path, base + statics[name]), wrk(wrk_path, base + path)) for _ in range(ROUNDS)]
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
                    print(
                        f"  {rows[-1][0]}: {page['rps']:.0f} req/s, p99 {page['p99']:.1f} ms; {rows[-1][2]}", flush=True
                    )

            if "form" in PARTS:
                _, form_queries, form_ms, form_cpu = in_process("/candidate/")
                load = form_load(stack.web_port)
                get_p99, post_p99 = p(load["gets"], 99), p(load["posts"], 99)
                rows.append(
                    (
                        f"candidacy form GET ({len(load['gets'])})",
                        {"rps": None, "p50": p(load["gets"], 50), "p99": get_p99, "errors": 0},
                        f"{form_ms:.1f} ms alone in process ({form_cpu:.1f} ms CPU), {form_queries} queries "
                        "(target <= 15 ms)",
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

            from django.conf import settings

            cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"}
            if "admin" in PARTS:
                status, queries, render_ms, render_cpu = in_process("/admin/intake/inquiry/", session_key)
                code, _, _ = fetch(base + "/admin/intake/inquiry/", headers=cookie)
                changelist = wrk(wrk_path, base + "/admin/intake/inquiry/", headers=cookie)
                rows.append(
                    (
                        f"admin inquiry changelist ({INQUIRIES:,} inquiries, {STAFF} staff)",
                        changelist,
                        f"{queries} queries/request, {render_ms:.0f} ms alone in process ({render_cpu:.0f} ms CPU; "
                        f"target <= 40 ms, p99 <= 300 ms at c={CONNECTIONS}) (HTTP {code}/{status})",
                    )
                )
                rows.append(change_page(wrk_path, base, cookie))
            if "reports" in PARTS:
                reports = "/admin/intake/inquiry/reports/"
                status, queries, render_ms, render_cpu = in_process(reports, session_key)
                code, _, _ = fetch(base + reports, headers=cookie)
                rows.append(
                    (
                        f"admin inquiry reports ({INQUIRIES:,} inquiries, 12 weeks)",
                        wrk(wrk_path, base + reports, headers=cookie),
                        f"{queries} queries/request, {render_ms:.0f} ms alone in process ({render_cpu:.0f} ms CPU) "
                        f"(HTTP {code}/{status})",
                    )
                )

            if "limits" in PARTS:
                targets = reference_targets(stack, paths)
                ratios = ratio_rows(wrk_path, stack, paths, targets)
                wire = wire_bytes(base, paths)
    except KeyboardInterrupt:
        print("bench: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    finally:
        sink.stop()

    if rows:
        print_rows(rows)
    if ratios:
        print_ratios(ratios, wire)
    return 0


def print_rows(rows: list[tuple]) -> None:
    print()
    print(
        f"make bench: {os.cpu_count()} cores, wrk -t2 -c{CONNECTIONS} -d{SECONDS}s, pages: median of {ROUNDS} "
        f"alternating runs each (admin list: one run; change page: one run, -c4)"
    )
    print(f"| {'what':<58} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | compared |")
    print(f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|----------|")
    for name, m, note in rows:
        rps = f"{m['rps']:.0f}" if m["rps"] is not None else "-"
        print(f"| {name:<58} | {rps:>7} | {m['p50']:>7.1f} | {m['p99']:>7.1f} | {m['errors']:>6} | {note} |")


if __name__ == "__main__":
    sys.exit(main())
