"""The admin part of `make bench` (scripts/bench.py): 10,000 inquiries and 50 staff users seeded
through Django, and an admin page's row (p99 through gunicorn, queries counted in this process).
Pages: the inquiry changelist and the reports page."""

import statistics
import time
import uuid

from scripts.support.processes import fetch

INQUIRIES = 10_000
STAFF = 50
CHANGELIST, REPORTS = "/admin/intake/inquiry/", "/admin/intake/inquiry/reports/"


# --- seeding (in this process, through Django) -----------------------------------------------------


def seed(*, reports: bool = False) -> str:
    """10,000 inquiries with their sent emails and 50 staff users; returns a signed-in session key."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from clinic.models import Office
    from intake.models import ContactAttempt, Inquiry, OutboxMessage

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
    if reports:  # a first contact attempt on every other inquiry, by the staff in turn
        staff = list(User.objects.filter(username__startswith="staff"))
        ContactAttempt.objects.bulk_create(
            [
                ContactAttempt(inquiry_id=pk, channel="phone", outcome="reached", by=staff[n % STAFF])
                for n, pk in enumerate(ids[::2])
            ],
            batch_size=2000,
        )
    admin = User.objects.create_superuser("bench-admin", "bench-admin@example.com", None)
    client = Client()
    client.force_login(admin)
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def admin_queries(session_key: str, path: str) -> tuple[int, int, float]:
    """(status, queries, median ms of 5 renders) of an admin page, in this process."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # warm: content types, permissions
    # Counted by an execute wrapper rather than CaptureQueriesContext, whose log is cleared when
    # CONN_MAX_AGE makes the request reconnect (it then reports 0).
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        status = client.get(path).status_code
    times = []
    for _ in range(5):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return status, len(queries), statistics.median(times)


def admin_row(wrk, base: str, session_key: str, path: str, name: str) -> tuple:
    """An admin page's row: p99 through gunicorn (one wrk run, -c4) and its queries in this process."""
    from django.conf import settings

    status, queries, render_ms = admin_queries(session_key, path)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"}
    code, _, _ = fetch(base + path, headers=cookie)
    measured = wrk(base + path, headers=cookie, connections=4)
    return name, measured, f"{queries} queries/request, {render_ms:.0f} ms alone in process (HTTP {code}/{status})"
