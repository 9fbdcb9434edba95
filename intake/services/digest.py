"""Counts of the triage inbox and its overdue and due-soon inquiries, for the admin index and the
daily digest email."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import site
from intake.models import Inquiry
from intake.queries import due_soon_before

from .deadlines import due_label

# The admin home and the digest list at most this many overdue or due-soon inquiries (most urgent
# first); the counts and the links to the list cover the rest.
DUE_LIST_LIMIT = 20

logger = logging.getLogger(__name__)


def triage_counts(*, user=None, now=None) -> dict[str, int]:
    """new (all new), new_today (new, received since midnight clinic time), new_overdue (new and
    past its due time), due_soon (due within TRIAGE_DUE_SOON_HOURS) and mine_open (assigned to
    `user`, not closed). One query."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    new = Q(status=Inquiry.Status.NEW, held_as_spam=False)
    counts = {
        "new": Count("pk", filter=new),
        "new_today": Count("pk", filter=new & Q(submitted_at__gte=midnight)),
        "new_overdue": Count("pk", filter=new & Q(due_at__lt=now)),
        "due_soon": Count("pk", filter=new & Q(due_at__gte=now, due_at__lt=due_soon_before(now))),
    }
    if user is not None:
        counts["mine_open"] = Count("pk", filter=Q(assignee=user) & ~Q(status__in=Inquiry.CLOSED_STATUSES))
    result = Inquiry.objects.aggregate(**counts)
    result.setdefault("mine_open", 0)
    return result


def due_list(*, now=None, limit: int = DUE_LIST_LIMIT) -> list[dict]:
    """The overdue and due-soon inquiries, most overdue first, at most `limit`: reference, kind,
    office label, "overdue by 3 h" / "due in 2 h", overdue or not, admin path. No names or health
    details (nothing encrypted is read). One query."""
    now = now or timezone.now()
    rows = (
        Inquiry.objects.waiting()
        .filter(due_at__lt=due_soon_before(now))
        .select_related("office")
        .only("pk", "reference", "kind", "status", "due_at", "office", "office__label")
        .order_by("due_at", "pk")[:limit]
    )
    return [
        {
            "reference": row.reference,
            "kind": row.get_kind_display(),
            "office": row.office_display,
            "due": due_label(row, now=now),
            "overdue": row.due_at < now,
            "path": reverse("admin:intake_inquiry_change", args=[row.pk]),
        }
        for row in rows
    ]


def send_triage_digest(*, now=None) -> dict[str, int]:
    """Email STAFF_NOTIFY_EMAILS the counts of new, overdue and due-soon inquiries with links to
    the list, and the overdue and due-soon ones each as kind, office, how late and a link to its
    page: no names, references or health details. Sent every day, also when nothing is waiting (a
    quiet digest still shows the system works). Raises on an SMTP error (the task retries).
    A rerun sends the digest again."""
    counts = triage_counts(now=now)
    due = due_list(now=now)
    context = {
        "clinic_name": site.CLINIC_NAME,
        "counts": counts,
        "overdue": [dict(row, url=settings.SITE_URL + row["path"]) for row in due if row["overdue"]],
        "due_soon": [dict(row, url=settings.SITE_URL + row["path"]) for row in due if not row["overdue"]],
        "sla_hours": settings.TRIAGE_SLA_HOURS,
        "soon_hours": settings.TRIAGE_DUE_SOON_HOURS,
        "new_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?status=new",
        "overdue_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?overdue=yes",
    }
    subject = f"Inquiries waiting: {counts['new']} new, {counts['new_overdue']} overdue, {counts['due_soon']} due soon"
    body = render_to_string("intake/email/triage_digest.txt", context)
    EmailMessage(subject=subject, body=body, to=list(settings.STAFF_NOTIFY_EMAILS)).send()
    logger.info(
        "intake: triage digest sent (%s new, %s overdue, %s due soon)",
        counts["new"],
        counts["new_overdue"],
        counts["due_soon"],
    )
    return counts
