"""The e-newsletter's double opt-in: request, confirm, unsubscribe (the links are in emails.py)."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from clinic.privacy import current_notice
from intake import tasks
from intake.models import OutboxMessage, Subscriber

from .delivery import enqueue

# A new confirmation email for the same address at most this often, so the form cannot mail-bomb.
NEWSLETTER_RESEND_AFTER = timedelta(hours=1)


@transaction.atomic
def request_subscription(*, email: str) -> None:
    """Start the double opt-in for `email`: store it as pending and queue a confirmation link.

    Reveals nothing: the caller shows the same page whether the address was new, pending, already
    subscribed or unsubscribed. An already confirmed address gets no email; a pending one gets at
    most one confirmation email per NEWSLETTER_RESEND_AFTER. Safe to rerun.
    """
    subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=email.strip().lower())
    # The person agreed to the privacy notice in effect now (the form links it).
    subscriber.privacy_notice_version = current_notice().version
    subscriber.privacy_agreed_at = timezone.now()
    subscriber.save(update_fields=["privacy_notice_version", "privacy_agreed_at"])
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.save(update_fields=["status"])
    recent = subscriber.outbox.filter(created_at__gt=timezone.now() - NEWSLETTER_RESEND_AFTER).exists()
    if recent:
        return
    message = OutboxMessage.objects.create(subscriber=subscriber, kind=OutboxMessage.Kind.NEWSLETTER_CONFIRMATION)
    transaction.on_commit(partial(enqueue, tasks.deliver_outbox_message, message.pk))


@transaction.atomic
def confirm_subscription(*, subscriber: Subscriber) -> None:
    """Mark the address subscribed (a confirmed link). Safe to rerun."""
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> None:
    """Stop sending to the address. Safe to rerun."""
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
