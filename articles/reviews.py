"""The medical-review queue: which articles and case histories are overdue for review or due soon,
for the admin's home page and the editors' weekly email (Celery beat, articles.tasks)."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import site as identity

from .models import Article

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # "Article" or "Case history"
    title: str
    due: date | None  # None: no review date set
    last_reviewed: date | None
    reviewer: str
    admin_path: str  # the admin change page


@dataclass(frozen=True)
class ReviewQueue:
    overdue: list[ReviewItem]
    due_soon: list[ReviewItem]
    unscheduled: list[ReviewItem]

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.unscheduled)


def review_queue(*, today: date | None = None, days: int = DUE_SOON_DAYS) -> ReviewQueue:
    """Published articles and every case history, sorted into overdue (due before `today`), due within
    `days`, and with no next-review date; each list by due date. Reads only."""
    from casestudies.models import CaseStudy

    today = today or timezone.localdate()
    items = []
    for article in Article.objects.filter(status=Article.Status.PUBLISHED).select_related("reviewer"):
        items.append(_item("Article", article, "admin:articles_article_change"))
    for case in CaseStudy.objects.select_related("reviewer"):
        items.append(_item("Case history", case, "admin:casestudies_casestudy_change"))
    by_due = sorted((i for i in items if i.due), key=lambda i: (i.due, i.title))
    return ReviewQueue(
        overdue=[i for i in by_due if i.due < today],
        due_soon=[i for i in by_due if today <= i.due <= today + timedelta(days)],
        unscheduled=sorted((i for i in items if not i.due), key=lambda i: i.title),
    )


def _item(kind: str, obj, admin_url: str) -> ReviewItem:
    return ReviewItem(
        kind=kind,
        title=obj.title,
        due=obj.next_review_due,
        last_reviewed=obj.last_reviewed_on,
        reviewer=str(obj.reviewer) if obj.reviewer else "",
        admin_path=reverse(admin_url, args=[obj.pk]),
    )


def send_review_reminder(*, today: date | None = None) -> ReviewQueue:
    """Email EDITOR_EMAILS the review queue (titles, dates, admin links; nothing about patients).
    Sent every week, also when nothing is due, so editors see it runs. Raises on an SMTP error (the
    task retries). A rerun sends it again."""
    queue = review_queue(today=today)
    context = {
        "clinic_name": identity.CLINIC_NAME,
        "queue": queue,
        "site_url": settings.SITE_URL,
        "days": DUE_SOON_DAYS,
    }
    subject = f"Medical reviews: {len(queue.overdue)} overdue, {len(queue.due_soon)} due within {DUE_SOON_DAYS} days"
    body = render_to_string("articles/email/review_reminder.txt", context)
    EmailMessage(subject=subject, body=body, to=list(settings.EDITOR_EMAILS)).send()
    logger.info("articles: review reminder sent (%s overdue, %s due soon)", len(queue.overdue), len(queue.due_soon))
    return queue
