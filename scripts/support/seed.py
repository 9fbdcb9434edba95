"""The bench's data: inquiries with health answers and sent emails, staff users, a signed-in session.

Imports nothing but Django and the project's models, and only fields that existed before the
health details were encrypted, so scripts/bench_versus.py can run it inside another checkout too:
`python manage.py shell -c "exec(open('.../seed.py').read()); print(seed(100, 5))"`.
"""


def seed(inquiries: int, staff: int, after_rows=None) -> str:
    """`inquiries` inquiries (references KN-BENCH-000000...) with their two sent emails, `staff`
    staff users and a superuser; returns the superuser's signed-in session key. `after_rows()`, if
    given, adds what only today's code has (due times, contact attempts) before the vacuum."""
    import uuid

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from clinic.models import Office
    from intake.models import Inquiry, OutboxMessage

    offices = list(Office.objects.all())
    statuses = [s for s, _ in Inquiry.Status.choices]
    kinds = [k for k, _ in Inquiry.Kind.choices]
    now = timezone.now()
    rows = [
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
            left_pain=i % 11,
            right_pain=(i + 3) % 11,
            duration="1to5y",
            onset="old_injury",
            treatments_tried=["nsaids", "cortisone", "physical_therapy"],
            message="Seeded for the benchmark: it hurts on the stairs and after a long walk. " * 3,
            suggested_type=(i % 4) or None,
            suggestion_reasons=["seeded for the benchmark", "An old injury that never healed"],
        )
        for i in range(inquiries)
    ]
    Inquiry.objects.bulk_create(rows, batch_size=1000)
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
        [User(username=f"staff{i}", email=f"staff{i}@example.com", is_staff=True) for i in range(staff)]
    )
    admin = User.objects.create_superuser("bench-admin", "bench-admin@example.com", None)
    if after_rows is not None:
        after_rows()
    if connection.vendor == "postgresql":
        # The visibility map and statistics autovacuum keeps for a table in use (a server may run
        # with autovacuum off, and would not have reached these rows yet): the planner can then
        # count from an index instead of reading every row.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(admin)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def candidacy_change_path() -> str:
    """The admin change page of the first seeded candidacy inquiry."""
    from intake.models import Inquiry

    pk = Inquiry.objects.filter(reference__startswith="KN-BENCH-", kind="candidate").order_by("pk").first().pk
    return f"/admin/intake/inquiry/{pk}/change/"
