"""A person's data on request: find every record of one person, give them a copy, or erase it.

Staff with intake.handle_subject_requests search by email or phone (intake.admin.subject_requests).
A person's records are their inquiries (with notes and pictures), newsletter subscriptions, the
outbox rows about either, and the audit entries of their inquiries. Each export or erasure is
recorded as a SubjectRequest: a keyed digest of what was searched, counts and references, never
contact or health details. Audit entries about other people are never touched.
"""

import json
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from intake.models import Inquiry, OutboxMessage, SubjectRequest, Subscriber

from .retention import _delete_files

logger = logging.getLogger(__name__)

# A phone number is compared on its last 10 digits: "+1 (239) 555-0100" is "239-555-0100".
PHONE_DIGITS = 10
MIN_PHONE_DIGITS = 7
# Inquiry fields the export leaves out: internal ids and keys, not something the person gave or is.
EXPORT_SKIP = {"id", "submission_token", "assignee", "status_changed_by", "office", "article", "image"}


class NotAnIdentifier(ValueError):
    """Neither an email address nor a phone number (at least 7 digits)."""


@dataclass
class PersonRecords:
    """Everything stored about the person with `identifier` (a normalised email or phone digits)."""

    identifier: str
    inquiries: list[Inquiry] = field(default_factory=list)
    subscribers: list[Subscriber] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    audit_entries: list[LogEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "inquiries": len(self.inquiries),
            "pictures": sum(1 for inquiry in self.inquiries if inquiry.image),
            "notes": sum(len(inquiry.notes.all()) for inquiry in self.inquiries),
            "subscriptions": len(self.subscribers),
            "outbox": len(self.outbox),
            "audit_entries": len(self.audit_entries),
        }

    @property
    def references(self) -> list[str]:
        return [inquiry.reference for inquiry in self.inquiries]

    @property
    def digest(self) -> str:
        return identifier_digest(self.identifier)

    def is_empty(self) -> bool:
        return not (self.inquiries or self.subscribers)


def normalise(identifier: str) -> str:
    """An email address lower-cased, or a phone number's last 10 digits. Raises NotAnIdentifier."""
    value = identifier.strip()
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    if len(digits) < MIN_PHONE_DIGITS:
        raise NotAnIdentifier("Enter the person's email address or phone number.")
    return digits[-PHONE_DIGITS:]


def identifier_digest(normalised: str) -> str:
    """A keyed digest (HMAC with SECRET_KEY) of a normalised identifier: it recognises the same
    person again and cannot be turned back into the address."""
    return salted_hmac("intake.subject_request", normalised, algorithm="sha256").hexdigest()


def _inquiry_ct() -> ContentType:
    return ContentType.objects.get_for_model(Inquiry)


def find_person(identifier: str) -> PersonRecords:
    """Every record of the person with this email or phone (case and punctuation ignored).
    Raises NotAnIdentifier."""
    value = normalise(identifier)
    records = PersonRecords(identifier=value)
    inquiries = Inquiry.objects.select_related("office").prefetch_related("notes").order_by("submitted_at")
    if "@" in value:
        records.inquiries = list(inquiries.filter(email__iexact=value))
        records.subscribers = list(Subscriber.objects.filter(email__iexact=value))
    else:
        phones = Inquiry.objects.exclude(phone="").values_list("pk", "phone")
        pks = [pk for pk, phone in phones if re.sub(r"\D", "", phone)[-PHONE_DIGITS:] == value]
        records.inquiries = list(inquiries.filter(pk__in=pks))
    records.outbox = list(
        OutboxMessage.objects.filter(Q(inquiry__in=records.inquiries) | Q(subscriber__in=records.subscribers))
    )
    records.audit_entries = list(
        LogEntry.objects.filter(
            content_type=_inquiry_ct(), object_pk__in=[str(inquiry.pk) for inquiry in records.inquiries]
        ).order_by("timestamp", "pk")
    )
    return records


def _inquiry_data(inquiry: Inquiry) -> dict:
    data = {f.name: f.value_from_object(inquiry) for f in Inquiry._meta.concrete_fields if f.name not in EXPORT_SKIP}
    data["office"] = inquiry.office_display
    data["picture"] = _picture_name(inquiry) if inquiry.image else None
    data["staff_notes"] = [{"when": note.created_at, "note": note.text} for note in inquiry.notes.all()]
    return data


def _picture_name(inquiry: Inquiry) -> str:
    return f"pictures/{inquiry.reference}{PurePosixPath(inquiry.image.name).suffix}"


def _entry_data(entry: LogEntry) -> dict:
    return {
        "when": entry.timestamp,
        "inquiry": entry.object_repr,
        "what": (entry.additional_data or {}).get("event") or entry.get_action_display(),
        "changes": entry.changes_dict or {},
        "by": "staff" if entry.actor_id or entry.actor_email else "the web form or the system",
    }


def export_person(records: PersonRecords, *, by):
    """One zip for the person: data.json (inquiries with their answers and notes, subscriptions,
    emails, audit entries) and their pictures, decrypted. Returns an open temporary file at its
    start (the caller closes it). Records the export as a SubjectRequest."""
    document = {
        "exported_at": timezone.now(),
        "inquiries": [_inquiry_data(inquiry) for inquiry in records.inquiries],
        "newsletter_subscriptions": [
            {
                "email": s.email,
                "status": s.get_status_display(),
                "created_at": s.created_at,
                "confirmed_at": s.confirmed_at,
                "unsubscribed_at": s.unsubscribed_at,
                "privacy_notice_version": s.privacy_notice_version,
                "privacy_agreed_at": s.privacy_agreed_at,
            }
            for s in records.subscribers
        ],
        "emails": [
            {
                "kind": m.get_kind_display(),
                "status": m.get_status_display(),
                "created_at": m.created_at,
                # A reply staff wrote to the person: its text is theirs to see.
                **({"subject": m.subject, "body": m.body} if m.kind == OutboxMessage.Kind.REPLY else {}),
            }
            for m in records.outbox
        ],
        "audit_entries": [_entry_data(entry) for entry in records.audit_entries],
    }
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned to the view, which closes it)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for inquiry in records.inquiries:
            if inquiry.image:
                try:
                    with inquiry.image.open("rb") as picture:
                        archive.writestr(_picture_name(inquiry), picture.read())
                except FileNotFoundError:
                    logger.warning("intake: the picture of %s is missing; exported without it", inquiry.reference)
    out.seek(0)
    _record(records, action=SubjectRequest.Action.EXPORT, by=by)
    return out


@transaction.atomic
def erase_person(records: PersonRecords, *, by) -> SubjectRequest:
    """Delete every record of the person: inquiries with their notes, outbox rows and audit
    entries (also the deletion entries the audit log writes now), subscriptions with theirs, and
    the picture files once committed. Records the erasure (counts, references, the digest).
    Safe to rerun: records already gone are skipped."""
    request = _record(records, action=SubjectRequest.Action.ERASE, by=by)
    pictures = [inquiry.image.name for inquiry in records.inquiries if inquiry.image]
    inquiry_ids = [inquiry.pk for inquiry in records.inquiries]
    Inquiry.objects.filter(pk__in=inquiry_ids).delete()  # cascades to notes and outbox rows
    Subscriber.objects.filter(pk__in=[s.pk for s in records.subscribers]).delete()
    object_ids = [str(pk) for pk in inquiry_ids]
    LogEntry.objects.filter(content_type=_inquiry_ct(), object_pk__in=object_ids).delete()
    # Django admin's own history of those inquiries (references and changed field names) goes too.
    AdminLogEntry.objects.filter(content_type=_inquiry_ct(), object_id__in=object_ids).delete()
    transaction.on_commit(partial(_delete_files, pictures))
    logger.info("intake: subject request %s erased %s", request.pk, request.counts)
    return request


def _record(records: PersonRecords, *, action: str, by) -> SubjectRequest:
    return SubjectRequest.objects.create(
        action=action,
        handled_by=by,
        identifier_digest=records.digest,
        counts=records.counts(),
        references=records.references,
    )


def earlier_requests(records: PersonRecords):
    """The requests already handled for the same email or phone, newest first."""
    return SubjectRequest.objects.filter(identifier_digest=records.digest).select_related("handled_by")
