"""The inquiry list's questions: open, overdue, due soon (Inquiry.objects.open() etc.)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class InquiryQuerySet(models.QuerySet):
    def open(self):
        """Inquiries staff still have to work on (not closed, not "not a candidate")."""
        return self.exclude(status__in=self.model.CLOSED_STATUSES).exclude(held_as_spam=True)

    def waiting(self):
        """New inquiries handed to staff (not held as suspected spam): the ones the SLA is about."""
        return self.filter(status=self.model.Status.NEW, held_as_spam=False)

    def overdue(self, *, now=None):
        """New inquiries past their due time (Inquiry.due_at: TRIAGE_SLA_HOURS of office hours)."""
        return self.waiting().filter(due_at__lt=now or timezone.now())

    def due_soon(self, *, now=None):
        """New inquiries due within TRIAGE_DUE_SOON_HOURS (wall-clock hours) and not yet overdue."""
        now = now or timezone.now()
        return self.waiting().filter(due_at__gte=now, due_at__lt=due_soon_before(now))


def due_soon_before(now):
    return now + timedelta(hours=settings.TRIAGE_DUE_SOON_HOURS)
