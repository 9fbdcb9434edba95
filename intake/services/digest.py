"""Counts of the triage inbox, for the admin index and the daily digest email."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import site
from intake.models import Inquiry, overdue_before

logger = logging.getLogger(__name__)


def triage_counts(*, user=None, now=None) -> dict[str, int]:
    """new (all new), new_today (new, received since midnight clinic time), new_overdue (new for
    longer than TRIAGE_SLA_HOURS) and mine_open (assigned to `user`, not closed). One query."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    new = Q(status=Inquiry.Status.NEW, held_as_spam=False)
    counts = {
        "new": Count("pk", filter=new),
        "new_today": Count("pk", filter=new & Q(submitted_at__gte=midnight)),
        "new_overdue": Count("pk", filter=new & Q(submitted_at__lt=overdue_before(now))),
    }
    if user is not None:
        counts["mine_open"] = Count("pk", filter=Q(assignee=user) & ~Q(status__in=Inquiry.CLOSED_STATUSES))
    result = Inquiry.objects.aggregate(**counts)
    result.setdefault("mine_open", 0)
    return result


def send_triage_digest(*, now=None) -> dict[str, int]:
    """Email STAFF_NOTIFY_EMAILS the counts of new and overdue inquiries with a link to the list:
    counts only, no names or health details. Sent every day, also when nothing is waiting (a
    quiet digest still shows the system works). Raises on an SMTP error (the task retries).
    A rerun sends the digest again."""
    counts = triage_counts(now=now)
    context = {
        "clinic_name": site.CLINIC_NAME,
        "counts": counts,
        "sla_hours": settings.TRIAGE_SLA_HOURS,
        "new_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?status=new",
        "overdue_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?overdue=yes",
    }
    subject = f"Inquiries waiting: {counts['new']} new, {counts['new_overdue']} overdue"
    body = render_to_string("intake/email/triage_digest.txt", context)
    EmailMessage(subject=subject, body=body, to=list(settings.STAFF_NOTIFY_EMAILS)).send()
    logger.info("intake: triage digest sent (%s new, %s overdue)", counts["new"], counts["new_overdue"])
    return counts
