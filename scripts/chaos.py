"""`make chaos`: the intake hand-off under faults, on the production-like stack on 127.0.0.1.

Starts gunicorn (gunicorn.conf.py), a Celery worker and Celery beat, as `make serve` does, on a
PostgreSQL database of its own (CHAOS_DATABASE_URL, default clinic_chaos, dropped and made anew;
any name will do, see scripts/support/databases.py), a
private redis-server on a spare port and an SMTP sink (aiosmtpd) in this process, then runs:

  a. 500 candidacy submissions at a steady rate: 500 rows, 500 staff notifications, 500
     confirmations, no duplicate Message-ID, all delivered within a minute of the last submission;
  b. the same while the worker is SIGKILLed twice (and restarted, as a supervisor would) and Redis
     restarted once (it keeps nothing on disk, so queued tasks are lost): nothing lost, every
     duplicate email counted and explained, and no process exits on its own (a worker that dies of
     the Redis restart is a failure of its own, not quietly restarted);
  c. Redis stopped for two minutes during 100 submissions: every POST answers with the thank-you
     page, none slower than a few seconds, and all 100 are delivered after Redis returns;
  d. the SMTP server refusing (421) for a while, then accepting: retried with capped backoff and
     delivered once; and a permanent refusal (550) shown as failed on the inquiry in admin.

The hand-off's timings are shortened through their settings (retry backoff 1 s doubling to 8 s,
sweep every 5 s for messages pending 10 s) so the run takes about 10 minutes; production keeps its
defaults. Every loop is bounded in count and time; everything started is stopped on exit, Ctrl-C
or failure. Prints a table of the scenarios with pass or fail and the figures.
"""

import contextlib
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.loadgen import UNTHROTTLED, paced_submissions  # noqa: E402
from scripts.support.processes import fetch, wait_until  # noqa: E402
from scripts.support.smtp import SmtpSink  # noqa: E402
from scripts.support.stack import Stack  # noqa: E402

DATABASE_URL = os.environ.get("CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_chaos")
RATE = float(os.environ.get("CHAOS_RATE", "8"))  # submissions per second in (a) and (b)
COUNT = int(os.environ.get("CHAOS_COUNT", "500"))
OUTAGE = float(os.environ.get("CHAOS_REDIS_OUTAGE", "120"))  # seconds Redis is down in (c)
# A duplicate whose first copy reached the sink at most this long before a worker SIGKILL was sent
# by the killed worker, which died before it could mark the row sent.
KILL_WINDOW = 5.0
CLIENTS = 6
MAX_POST_SECONDS = 5.0  # "none slower than a few seconds"
RETRY_BASE, RETRY_MAX = 1, 8
TIMINGS = {
    "INTAKE_RETRY_BASE_DELAY": str(RETRY_BASE),
    "INTAKE_RETRY_MAX_DELAY": str(RETRY_MAX),
    "INTAKE_HANDOFF_SWEEP_AFTER": "10",
    "INTAKE_HANDOFF_SWEEP_INTERVAL": "5",
}


class Drill:
    def __init__(self, stack: Stack, sink: SmtpSink):
        self.stack, self.sink = stack, sink
        self.rows: list[tuple[str, bool, str]] = []
        self.crashes: list[str] = []  # processes that exited without the drill stopping them

    def watch(self) -> None:
        """Record (and restart) any of gunicorn, beat and the worker that exited on its own: a crash
        is a failure of the scenario it happened in, never quietly repaired."""
        for name, start in (
            ("web", self.stack.start_web),
            ("beat", self.stack.start_beat),
            ("worker", self.stack.start_worker),
        ):
            proc = self.stack.procs.get(name)
            if proc is not None and proc.poll() is not None:
                log = self.stack.dir / f"{name}.log"
                last = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line][-1:]
                self.crashes.append(
                    f"{name} exited unexpectedly (status {proc.returncode})" + (f": {last[0][:300]}" if last else "")
                )
                print(f"  CRASH: {self.crashes[-1]}; starting it again", flush=True)
                start()

    def run(self, scenario) -> None:
        before = len(self.crashes)
        scenario()
        self.watch()
        crashed = self.crashes[before:]
        if crashed:
            self.add(f"{scenario.__name__}: no process crashed", False, "; ".join(crashed))

    # --- what happened to a scenario's submissions ---------------------------------------------

    def outcome(self, prefix: str) -> dict:
        """Rows, expected Message-IDs and what the sink got for the inquiries whose email starts
        with `prefix`."""
        from intake.models import Inquiry, OutboxMessage
        from intake.services import message_id_header

        inquiries = Inquiry.objects.filter(email__startswith=prefix)
        messages = list(OutboxMessage.objects.filter(inquiry__in=inquiries).select_related(None))
        expected = {message_id_header(m): m for m in messages}
        got = [(t, mid, subject) for t, _, mid, subject in self.sink.snapshot() if mid in expected]
        counts = Counter(mid for _, mid, _ in got)
        kinds = Counter(expected[mid].kind for mid in counts)
        return {
            "rows": inquiries.count(),
            "emails": len({i.email for i in inquiries}),
            "expected": expected,
            "delivered": len(counts),
            "staff": kinds.get(OutboxMessage.Kind.STAFF_NOTIFICATION, 0),
            "confirmations": kinds.get(OutboxMessage.Kind.PATIENT_CONFIRMATION, 0),
            "duplicates": {mid: n for mid, n in counts.items() if n > 1},
            "last_received": max((t for t, _, _ in got), default=None),
            "first_received": {mid: min(t for t, m, _ in got if m == mid) for mid in counts},
            "received": {mid: sorted(t for t, m, _ in got if m == mid) for mid in counts},
        }

    def wait_delivered(self, prefix: str, count: int, *, timeout: float) -> dict:
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda: self.outcome(prefix)["delivered"] >= 2 * count,
                timeout=timeout,
                interval=1,
                what=f"{2 * count} emails",
            )
        time.sleep(3)  # a late duplicate would arrive now
        return self.outcome(prefix)

    def submit(self, prefix: str, count: int, *, rate: float, domain: str = "example.com", **kwargs) -> list[dict]:
        emails = [f"{prefix}{i:04d}@{domain}" for i in range(count)]
        limit = count / rate + 240
        return paced_submissions(self.stack.web_port, emails, rate=rate, clients=CLIENTS, time_limit=limit, **kwargs)

    def add(self, name: str, passed: bool, figures: str) -> None:
        self.rows.append((name, passed, figures))
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {figures}", flush=True)

    @staticmethod
    def posts_summary(results: list[dict]) -> tuple[int, int, float, list[str]]:
        ok = sum(r["ok"] for r in results)
        five_xx = sum(1 for r in results if (r["status"] or 0) >= 500)
        slowest = max((r["post"] or 0) + (r["thanks"] or 0) for r in results) if results else 0.0
        errors = [r["error"] for r in results if r["error"]]
        return ok, five_xx, slowest, errors

    # --- the scenarios -------------------------------------------------------------------------

    def steady(self) -> None:
        print(f"(a) {COUNT} submissions at {RATE:g}/s", flush=True)
        results = self.submit("chaos-a-", COUNT, rate=RATE)
        ok, five_xx, slowest, errors = self.posts_summary(results)
        last_post = max((r.get("done_at") or 0) for r in results)
        out = self.wait_delivered("chaos-a-", COUNT, timeout=90)
        lag = (out["last_received"] or 0) - last_post
        passed = (
            ok == COUNT
            and out["rows"] == COUNT
            and out["staff"] == COUNT
            and out["confirmations"] == COUNT
            and not out["duplicates"]
            and lag <= 60
        )
        self.add(
            f"a. {COUNT} submissions at a steady {RATE:g}/s",
            passed,
            f"{ok} thanked, {out['rows']} rows, {out['staff']} staff notifications, {out['confirmations']} "
            f"confirmations, {len(out['duplicates'])} duplicates, last email {lag:.1f} s after the last "
            f"submission, slowest POST {slowest:.2f} s" + (f"; errors: {errors[:2]}" if errors else ""),
        )

    def kills(self) -> None:
        print(f"(b) {COUNT} submissions; worker SIGKILLed twice, Redis restarted once", flush=True)
        duration = COUNT / RATE
        events: list[str] = []
        # Wall-clock, as the sink's receive times: (just before, just after) each SIGKILL, since
        # under load the signal may land a little after the first timestamp is taken.
        kill_times: list[tuple[float, float]] = []
        redis_times: list[float] = []

        def faults():
            for at, action in ((0.2, "kill"), (0.45, "kill"), (0.7, "redis")):
                time.sleep(max(0.0, start + at * duration - time.monotonic()))
                self.watch()  # the worker must be alive before the drill kills it
                if action == "kill":
                    before = time.time()
                    self.stack.kill("worker")
                    kill_times.append((before, time.time()))
                    events.append(f"worker SIGKILLed at {time.monotonic() - start:.0f} s")
                    time.sleep(2)
                    self.stack.start_worker()
                else:
                    redis_times.append(time.time())
                    self.stack.stop_redis()
                    events.append(f"Redis restarted (empty) at {time.monotonic() - start:.0f} s")
                    time.sleep(2)
                    self.stack.start_redis()
            for _ in range(20):  # a worker that dies of the Redis restart does so within seconds
                time.sleep(1)
                self.watch()

        start = time.monotonic()
        chaos = threading.Thread(target=faults, daemon=True)
        chaos.start()
        results = self.submit("chaos-b-", COUNT, rate=RATE)
        chaos.join(timeout=120)
        ok, five_xx, slowest, errors = self.posts_summary(results)
        last_post = max((r.get("done_at") or 0) for r in results)
        out = self.wait_delivered("chaos-b-", COUNT, timeout=120)
        lag = (out["last_received"] or 0) - last_post

        # A duplicate is explained when the worker was killed after the SMTP server accepted the
        # email and before the row was marked sent: the first copy arrived within a few seconds
        # before a SIGKILL (the killed attempt's row update is rolled back with it, so the row
        # itself may show one attempt), or the row records a second attempt.
        def killed_mid_send(mid: str) -> bool:
            first = out["first_received"][mid]
            return any(before - KILL_WINDOW <= first <= after for before, after in kill_times)

        resent = [mid for mid in out["duplicates"] if killed_mid_send(mid) or out["expected"][mid].attempts >= 2]
        unexplained = len(out["duplicates"]) - len(resent)
        lost = 2 * COUNT - out["delivered"]
        passed = ok == COUNT and out["rows"] == COUNT and lost == 0 and unexplained == 0
        duplicates = f"{len(out['duplicates'])} duplicates"
        if out["duplicates"]:
            duplicates += (
                f" ({len(resent)} explained: the worker was killed after the SMTP server accepted the email "
                f"and before its row was marked sent, so the sweep sent it again with the same Message-ID; "
                f"{unexplained} unexplained)"
            )
        for mid in out["duplicates"]:
            if mid not in resent:  # what the next run's reader needs to find the cause
                row, copies = out["expected"][mid], out["received"][mid]
                print(
                    f"  unexplained duplicate: {row.get_kind_display()} row {row.pk}, attempts {row.attempts}, "
                    f"copies at {[round(t - copies[0], 2) for t in copies]} s after the first; first copy "
                    f"{[round(copies[0] - b, 2) for b, _ in kill_times]} s after each SIGKILL, "
                    f"{[round(copies[0] - r, 2) for r in redis_times]} s after the Redis restart",
                    flush=True,
                )
        self.add(
            "b. the same with the worker SIGKILLed twice and Redis restarted once",
            passed,
            f"{ok} thanked, {out['rows']} rows, {out['delivered']}/{2 * COUNT} emails delivered ({lost} lost), "
            f"{duplicates}, last email {lag:.1f} s after the last submission, slowest POST "
            f"{slowest:.2f} s; {'; '.join(events)}" + (f"; errors: {errors[:2]}" if errors else ""),
        )

    def redis_outage(self) -> None:
        count = 100
        rate = count / (OUTAGE + 20)
        print(f"(c) {count} submissions over {count / rate:.0f} s; Redis down for {OUTAGE:.0f} s", flush=True)
        times: dict[str, float] = {}

        def outage():
            time.sleep(10)
            self.stack.stop_redis()
            times["down"] = time.time()
            time.sleep(OUTAGE)
            self.stack.start_redis()
            times["up"] = time.time()

        chaos = threading.Thread(target=outage, daemon=True)
        chaos.start()
        results = self.submit("chaos-c-", count, rate=rate, open_thanks=True)
        chaos.join(timeout=OUTAGE + 60)
        ok, five_xx, slowest, errors = self.posts_summary(results)
        during = sum(1 for r in results if times.get("down", 0) <= (r.get("done_at") or 0) <= times.get("up", 0))
        out = self.wait_delivered("chaos-c-", count, timeout=120)
        lag = (out["last_received"] or 0) - times.get("up", time.time())
        passed = (
            ok == count
            and five_xx == 0
            and slowest <= MAX_POST_SECONDS
            and out["delivered"] == 2 * count
            and not out["duplicates"]
        )
        self.add(
            f"c. Redis down {OUTAGE:.0f} s during {count} submissions",
            passed,
            f"{ok}/{count} answered with the thank-you page ({during} while Redis was down), {five_xx} 5xx, "
            f"slowest POST + thank-you page {slowest:.2f} s, {out['delivered']}/{2 * count} emails delivered, "
            f"all within {lag:.1f} s of Redis returning, {len(out['duplicates'])} duplicates"
            + (f"; errors: {errors[:2]}" if errors else ""),
        )

    def smtp_refusing(self) -> None:
        from intake.models import Inquiry, OutboxMessage

        count, refuse_for = 20, 30
        print(f"(d) SMTP refusing (421) for {refuse_for} s during {count} submissions; 3 to a bouncing address")
        log = self.stack.dir / "worker.log"
        log_offset = log.stat().st_size
        self.sink.mode = "refuse"
        refusing_since = time.time()
        results = self.submit("chaos-d-", count, rate=2)
        bounced = self.submit("chaos-e-", 3, rate=2, domain=SmtpSink.bounce_domain)
        time.sleep(max(0.0, refusing_since + refuse_for - time.time()))
        self.sink.mode = "accept"
        accepting_at = time.time()
        ok, _, _, errors = self.posts_summary(results + bounced)
        out = self.wait_delivered("chaos-d-", count, timeout=120)
        rows = OutboxMessage.objects.filter(inquiry__email__startswith="chaos-d-")
        attempts = max(rows.values_list("attempts", flat=True), default=0)
        retry_delays = [int(s) for s in re.findall(r"Retry in (\d+)s", log.read_text(errors="replace")[log_offset:])]
        cap = RETRY_MAX + RETRY_BASE  # the cap plus its jitter
        first_after = min((t for t in out["first_received"].values()), default=accepting_at) - accepting_at
        passed = (
            ok == count + 3
            and self.sink.refused > 0
            and out["delivered"] == 2 * count
            and not out["duplicates"]
            and attempts > 1
            and bool(retry_delays)
            and max(retry_delays) <= cap
        )
        self.add(
            f"d1. SMTP refusing (421) for {refuse_for} s, then accepting",
            passed,
            f"{self.sink.refused} refusals, {out['delivered']}/{2 * count} delivered, {len(out['duplicates'])} "
            f"duplicates, up to {attempts} attempts per email, retry delays {sorted(set(retry_delays))} s "
            f"(cap {RETRY_MAX} s + jitter), first delivery {first_after:.1f} s after the server accepted again"
            + (f"; errors: {errors[:2]}" if errors else ""),
        )

        # The patient's address bounces (550): the confirmation fails at once, staff still hear.
        from django.conf import settings
        from django.test import Client

        bounce = list(Inquiry.objects.filter(email__startswith="chaos-e-"))
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda: all(i.handoff_summary()[0] == "failed" for i in bounce), timeout=60, interval=1, what="failed"
            )
        states = Counter(i.handoff_summary()[0] for i in bounce)
        staff_sent = OutboxMessage.objects.filter(
            inquiry__in=bounce, kind=OutboxMessage.Kind.STAFF_NOTIFICATION, status=OutboxMessage.Status.SENT
        ).count()
        from django.contrib.auth.models import User

        admin_user = User.objects.filter(username="chaos-admin").first() or User.objects.create_superuser(
            "chaos-admin", "chaos-admin@example.com", None
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin_user)
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}
        shown = 0
        for inquiry in bounce:
            status, _, body = fetch(f"{self.stack.base_url}/admin/intake/inquiry/{inquiry.pk}/change/", headers=cookie)
            shown += status == 200 and b"failed" in body.lower() and b"550" in body
        passed = states.get("failed") == len(bounce) and staff_sent == len(bounce) and shown == len(bounce)
        self.add(
            "d2. a permanent refusal (550) for the patient's address",
            passed,
            f"{len(bounce)} inquiries: hand-off {dict(states)}, staff notified for {staff_sent}, admin page "
            f"shows the failure (with the 550) for {shown}",
        )


def main() -> int:
    sink = SmtpSink().start()
    env = {**sink.email_env(), "EMAIL_TIMEOUT": "5", **UNTHROTTLED, **TIMINGS}
    started = time.monotonic()
    drill = None
    try:
        with Stack("chaos", database_url=DATABASE_URL, env=env) as stack:
            stack.prepare()
            stack.start_web()
            stack.start_worker()
            stack.start_beat()
            drill = Drill(stack, sink)
            for scenario in (drill.steady, drill.kills, drill.redis_outage, drill.smtp_refusing):
                drill.run(scenario)
    except KeyboardInterrupt:
        print("chaos: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    finally:
        sink.stop()
    minutes = (time.monotonic() - started) / 60
    print()
    print(f"make chaos: {os.cpu_count()} cores, {minutes:.1f} minutes; timings {TIMINGS}")
    print("| scenario | result | figures |")
    print("|---|---|---|")
    for name, passed, figures in drill.rows:
        print(f"| {name} | {'PASS' if passed else 'FAIL'} | {figures} |")
    return 0 if all(passed for _, passed, _ in drill.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
