"""The audit trail of an inquiry: events that change no field, and reading the trail back.

Field changes (status, assignee, priority) are recorded by django-auditlog on save (intake.apps);
events that change no field (a page or image viewed, a note added, an export) by record_event.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from intake.models import Inquiry

# Events in the audit trail that change no field. The labels are what staff read.
EVENT_VIEWED = "viewed"
EVENT_IMAGE_VIEWED = "image_viewed"
EVENT_THUMBNAIL_VIEWED = "thumbnail_viewed"
EVENT_NOTE_ADDED = "note_added"
EVENT_EXPORTED = "exported"
EVENT_ATTEMPT_LOGGED = "contact_attempt"
EVENT_REPORT_EXPORTED = "report_exported"  # of the reports page: counts only, about no one inquiry
EVENT_LABELS = {
    EVENT_VIEWED: "Opened the inquiry",
    EVENT_IMAGE_VIEWED: "Downloaded the image",
    EVENT_THUMBNAIL_VIEWED: "Saw the image (thumbnail)",
    EVENT_NOTE_ADDED: "Added a note",
    EVENT_EXPORTED: "Exported it to CSV",
    EVENT_ATTEMPT_LOGGED: "Logged a contact attempt",
    EVENT_REPORT_EXPORTED: "Downloaded a report table as CSV",
}
REPORTS_OBJECT_PK = "reports"


def _event_entry(inquiry: Inquiry, *, by, event: str, detail: dict | None, remote_addr: str | None = None):
    action = LogEntry.Action.UPDATE if event in (EVENT_NOTE_ADDED, EVENT_ATTEMPT_LOGGED) else LogEntry.Action.ACCESS
    return LogEntry(
        content_type=ContentType.objects.get_for_model(Inquiry),
        object_pk=str(inquiry.pk),
        object_id=inquiry.pk,
        object_repr=str(inquiry),
        action=action,
        actor=by,
        actor_email=getattr(by, "email", None),
        remote_addr=remote_addr or None,
        additional_data={"event": event, **(detail or {})},
    )


def record_event(*, inquiry: Inquiry, by, event: str, detail: dict | None = None):
    """Write one audit entry for an event on an inquiry that changes none of its fields (see
    EVENT_LABELS), by user `by`, now. `detail` must hold ids only, never what anyone wrote.
    Not idempotent: each call is one more entry, as each view is one more view."""
    entry = _event_entry(inquiry, by=by, event=event, detail=detail)
    entry.save()
    return entry


def record_events(*, inquiries, by, event: str, detail: dict | None = None, remote_addr: str | None = None) -> int:
    """record_event for many inquiries in one insert (a CSV export: `detail` the row count,
    `remote_addr` the client's address). Returns how many."""
    entries = [
        _event_entry(inquiry, by=by, event=event, detail=detail, remote_addr=remote_addr) for inquiry in inquiries
    ]
    LogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def record_report_export(*, by, table: str, start, end, remote_addr: str | None = None) -> LogEntry:
    """One audit entry for a CSV download of the reports page (one insert). It holds counts only,
    so it is filed under the inquiries' content type with the object "reports" rather than under
    each inquiry; superusers see it under "Audit log"."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Inquiry),
        object_pk=REPORTS_OBJECT_PK,
        object_repr="Inquiry reports",
        action=LogEntry.Action.ACCESS,
        actor=by,
        actor_email=getattr(by, "email", None),
        remote_addr=remote_addr or None,
        additional_data={"event": EVENT_REPORT_EXPORTED, "table": table, "start": str(start), "end": str(end)},
    )


def audit_trail(*, inquiry: Inquiry, limit: int | None = None):
    """The inquiry's audit entries, newest first, with their actors (one query)."""
    entries = LogEntry.objects.get_for_object(inquiry).select_related("actor").order_by("-timestamp", "-pk")
    return entries[:limit] if limit else entries
