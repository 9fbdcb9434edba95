"""Submitting: store what a person sent and its outbox rows in one transaction, then queue the
hand-off after commit (the inquiry's id only: no health details in the broker)."""

import logging
import uuid
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from clinic.privacy import current_notice
from intake import tasks
from intake.models import Inquiry, OutboxMessage, phone_digits
from intake.rubric import suggest_patient_type

from .deadlines import sla_deadline
from .delivery import enqueue
from .uploads import discard_image, store_image

logger = logging.getLogger(__name__)

# The emails each kind of inquiry causes.
INQUIRY_MESSAGES = [OutboxMessage.Kind.STAFF_NOTIFICATION, OutboxMessage.Kind.PATIENT_CONFIRMATION]


def submit_inquiry(
    *,
    kind: str,
    submission_token: uuid.UUID,
    answers: dict[str, Any],
    image: ContentFile | None = None,
    spam_reasons: list[str] | tuple = (),
) -> tuple[Inquiry, bool]:
    """Store an inquiry and its outbox rows; queue the hand-off after commit.

    `answers` are Inquiry field values from a validated form; `image` is an already re-encoded
    file (intake.forms.clean_report_image). Returns (inquiry, created). Safe to rerun with the same
    `submission_token`: a double click or a resubmitted POST returns the inquiry stored the first
    time and stores and sends nothing more. With `spam_reasons` (soft checks it failed) the
    inquiry is stored held as suspected spam, with no emails until staff release it
    (intake.services.suspected_spam). The picture is written whole (fsynced, checked) before the
    row commits and removed at once if the row is not stored; a failed write raises
    uploads.ImageNotStored and stores nothing.
    """
    existing = Inquiry.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    image_name = store_image(image) if image is not None else ""
    try:
        stored = _store_inquiry(
            kind=kind,
            submission_token=submission_token,
            answers=answers,
            image_name=image_name,
            spam_reasons=spam_reasons,
        )
        return stored, True
    except (OperationalError, InterfaceError):
        # The connection was lost, perhaps during the commit: the row may exist, so the file stays
        # for the orphan sweep (uploads.sweep_orphan_images) to judge once the database is back.
        raise
    except IntegrityError:
        discard_image(image_name)
        # Two requests with the same token raced; the other one stored it.
        existing = Inquiry.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        discard_image(image_name)
        raise


@transaction.atomic
def _store_inquiry(
    *, kind: str, submission_token: uuid.UUID, answers: dict[str, Any], image_name: str, spam_reasons=()
) -> Inquiry:
    inquiry = Inquiry(kind=kind, submission_token=submission_token, **answers)
    inquiry.phone_digits = phone_digits(inquiry.phone)
    if inquiry.consent_to_contact:
        inquiry.privacy_notice_version = current_notice().version
        inquiry.privacy_agreed_at = timezone.now()
    inquiry.held_as_spam, inquiry.spam_reasons = bool(spam_reasons), list(spam_reasons)
    if kind == Inquiry.Kind.CANDIDATE:
        suggestion = suggest_patient_type(
            onset=inquiry.onset,
            duration=inquiry.duration,
            treatments_tried=inquiry.treatments_tried,
            treatment_outcomes=inquiry.treatment_outcomes,
            pain_worsening=inquiry.pain_worsening,
            activity_level=inquiry.activity_level,
            replacement_recommended=inquiry.replacement_recommended,
            instability=inquiry.instability,
            description=inquiry.message,
        )
        inquiry.suggested_type = suggestion.patient_type
        inquiry.suggestion_reasons = list(suggestion.reasons)
    inquiry.image.name = image_name
    inquiry.save()
    # The reference needs the id, so it is set in the same transaction right after the insert; the
    # due time needs submitted_at (TRIAGE_SLA_HOURS of office hours: deadlines.sla_deadline).
    inquiry.reference = f"KN-{timezone.localtime(inquiry.submitted_at).year}-{inquiry.pk:06d}"
    _, inquiry.due_at = sla_deadline(inquiry.office, inquiry.submitted_at)
    inquiry.save(update_fields=["reference", "due_at"])
    if inquiry.held_as_spam:
        logger.info("intake: held %s %s as suspected spam", inquiry.kind, inquiry.reference)
        return inquiry
    hand_over(inquiry)
    logger.info("intake: stored %s %s", inquiry.kind, inquiry.reference, extra={"reference": inquiry.reference})
    return inquiry


def hand_over(inquiry: Inquiry) -> None:
    """Create the inquiry's outbox rows and queue their sending after commit (in a transaction)."""
    OutboxMessage.objects.bulk_create([OutboxMessage(inquiry=inquiry, kind=k) for k in INQUIRY_MESSAGES])
    transaction.on_commit(partial(enqueue, tasks.deliver_inquiry, inquiry.pk))
