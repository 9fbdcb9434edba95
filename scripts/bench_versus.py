"""Today's code against another checkout of the project, in one run, alternating, as ratios: the
candidacy form POST and the admin change page of a candidacy inquiry (issue 16's figures: the code
before encryption at rest against today's).

    git worktree add --detach ../pre16 <commit>
    ln -s "$PWD/.venv" ../pre16/.venv && ln -s "$PWD/node_modules" ../pre16/node_modules
    BENCH_BASELINE=../pre16 .venv/bin/python scripts/bench_versus.py
    git worktree remove --force ../pre16

Each side gets its own stack as `make bench` starts it (scripts.support.stack; the baseline's
processes run in its checkout, with its gunicorn.conf.py and release steps): a database dropped and
made anew (BENCH_DATABASE_URL for today, the same name with `_before` for the baseline), a private
redis-server, gunicorn and a Celery worker, both sides sending to one SMTP sink. Each is seeded by
running scripts/support/seed.py inside its own checkout (BENCH_VERSUS_INQUIRIES, default 2,000,
with health answers). Then BENCH_ROUNDS rounds (default 3), the sides' order swapped each round:
BENCH_VERSUS_POSTS (default 60) candidacy submissions from 4 clients (GET, proof of work, POST),
then one wrk run of the change page (-c4, BENCH_SECONDS), so that other load on the machine weighs
on both alike. Prints each side's medians and today/before. The baseline must take the same form
answers (scripts/support/answers.py) and solve the same proof of work (ALTCHA) as today's code.
"""

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import loadgen  # noqa: E402
from scripts.loadgen import UNTHROTTLED, FormVisitor, ensure_wrk, median_run  # noqa: E402
from scripts.support.processes import PY, ROOT, fetch  # noqa: E402
from scripts.support.smtp import SmtpSink  # noqa: E402
from scripts.support.stack import Stack  # noqa: E402

BASELINE = os.environ.get("BENCH_BASELINE", "")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
POSTS = int(os.environ.get("BENCH_VERSUS_POSTS", "60"))
INQUIRIES = int(os.environ.get("BENCH_VERSUS_INQUIRIES", "2000"))
CLIENTS = 4
TIME_LIMIT = 120  # seconds per batch of submissions
SEED = ROOT / "scripts" / "support" / "seed.py"


def seed_inside(stack: Stack) -> tuple[str, str]:
    """Seed the stack's database with its own checkout's code; (session cookie value, change page path)."""
    code = (
        f"exec(open({str(SEED)!r}).read()); "
        f"print('SESSION', seed({INQUIRIES}, 10)); print('PATH', candidacy_change_path())"
    )
    result = subprocess.run(
        [PY, "manage.py", "shell", "-c", code],
        cwd=stack.root,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    found = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("SESSION ", "PATH ")))
    if result.returncode != 0 or len(found) != 2:
        raise SystemExit(f"seeding {stack.name} failed:\n{result.stdout[-1500:]}\n{result.stderr[-3000:]}")
    return found["SESSION"], found["PATH"]


def submissions(port: int, tag: str, count: int) -> dict:
    """`count` candidacy submissions from CLIENTS threads as fast as they go: GET and POST times (ms)."""
    jobs = [f"versus-{tag}-{i}@example.com" for i in range(count)]
    lock = threading.Lock()
    results: list[dict] = []
    deadline = time.monotonic() + TIME_LIMIT

    def run():
        visitor = FormVisitor(port)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if not jobs:
                        return
                    address = jobs.pop()
                result = visitor.submit(address)
                with lock:
                    results.append(result)
        finally:
            visitor.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT + 60)
    return {
        "get": [r["get"] * 1000 for r in results if r["get"] is not None],
        "post": [r["post"] * 1000 for r in results if r["ok"]],
        "errors": [r["error"] for r in results if r["error"]],
    }


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Side:
    def __init__(self, name: str, root: Path, database_url: str, env: dict):
        self.name = name
        self.stack = Stack(f"versus-{name}", database_url=database_url, env=env, root=root)
        self.posts: list[dict] = []  # per round: p50, p99 of the POST, p50 of the GET
        self.changes: list[dict] = []  # per round: wrk figures of the change page
        self.errors: list[str] = []

    def start(self) -> None:
        stack = self.stack
        print(f"{self.name}: {stack.root} (commit {commit(stack.root)})", flush=True)
        stack.start_redis()
        stack.release()
        self.session, path = seed_inside(stack)
        stack.start_web()
        stack.start_worker()
        self.cookie = {"Cookie": f"sessionid={self.session}"}
        self.change_url = stack.base_url + path
        status, _, body = fetch(self.change_url, headers=self.cookie)
        if status != 200 or b"KN-BENCH-" not in body:
            raise SystemExit(f"{self.name}: the change page answered {status}")

    def round(self, wrk_path: str, number: int) -> None:
        load = submissions(self.stack.web_port, f"{self.name}{number}", POSTS)
        self.errors += load["errors"]
        self.posts.append(
            {"p50": quantile(load["post"], 50), "p99": quantile(load["post"], 99), "get": quantile(load["get"], 50)}
        )
        self.changes.append(loadgen.wrk(wrk_path, self.change_url, seconds=SECONDS, connections=4, headers=self.cookie))
        post, change = self.posts[-1], self.changes[-1]
        print(
            f"  round {number} {self.name}: POST p50 {post['p50']:.1f} ms ({len(load['post'])} ok, "
            f"{len(load['errors'])} errors); change page {change['rps']:.1f} req/s, p50 {change['p50']:.1f} ms",
            flush=True,
        )


def commit(root: Path) -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    return result.stdout.strip() or "?"


def main() -> int:
    if not BASELINE or not (Path(BASELINE) / "manage.py").exists():
        raise SystemExit("BENCH_BASELINE must name another checkout of the project (see the docstring)")
    wrk_path = ensure_wrk()
    sink = SmtpSink().start()
    env = {**sink.email_env(), **UNTHROTTLED}
    today = Side("today", ROOT, DATABASE_URL, env)
    before = Side("before", Path(BASELINE).resolve(), DATABASE_URL + "_before", env)
    try:
        with today.stack, before.stack:
            for side in (today, before):
                side.start()
            for side in (today, before):  # warm every worker: imports, templates, connections
                submissions(side.stack.web_port, f"{side.name}-warm", 8)
                loadgen.wrk(wrk_path, side.change_url, seconds=1, connections=4, headers=side.cookie)
            for number in range(1, ROUNDS + 1):
                for side in (today, before) if number % 2 else (before, today):
                    side.round(wrk_path, number)
    except KeyboardInterrupt:
        print("bench_versus: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    finally:
        sink.stop()
    print_table(today, before)
    return 0


def print_table(today: Side, before: Side) -> None:
    def med(side: Side, key: str) -> float:
        return statistics.median(p[key] for p in side.posts)

    a, b = median_run(today.changes), median_run(before.changes)
    print()
    print(
        f"Today ({commit(today.stack.root)}) / before ({commit(before.stack.root)}): median of {ROUNDS} alternating "
        f"rounds ({POSTS} submissions from {CLIENTS} clients; change page wrk -t2 -c4 -d{SECONDS}s)"
    )
    print("| what                               |    today |   before | today / before | target |")
    print("|------------------------------------|----------|----------|----------------|--------|")
    rows = [
        ("candidacy POST p50 (ms)", med(today, "p50"), med(before, "p50"), "<= 1.2"),
        ("candidacy POST p99 (ms)", med(today, "p99"), med(before, "p99"), ""),
        ("candidacy GET p50 (ms)", med(today, "get"), med(before, "get"), ""),
        ("admin change page p50 (ms)", a["p50"], b["p50"], "<= 1.2"),
        ("admin change page p99 (ms)", a["p99"], b["p99"], ""),
        ("admin change page req/s", a["rps"], b["rps"], "(before / today <= 1.2)"),
    ]
    for what, x, y, target in rows:
        print(f"| {what:<34} | {x:>8.1f} | {y:>8.1f} | {x / y:>14.2f} | {target} |")
    for side in (today, before):
        if side.errors:
            print(f"{side.name}: {len(side.errors)} failed submissions, first: {side.errors[:2]}")


if __name__ == "__main__":
    sys.exit(main())
