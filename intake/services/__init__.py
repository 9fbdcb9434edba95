"""The intake workflows: store what a person sent, then hand it to staff without losing or doubling it.

One module a workflow:
- submission: store an inquiry and its outbox rows in one transaction, queue the hand-off on commit;
- delivery: send outbox rows once each (row lock), the beat sweep, and `enqueue`;
- emails: the emails' content and the newsletter's signed links;
- newsletter: the e-newsletter's double opt-in;
- staff: the triage workflow (status moves, assignment, priority, notes, retrying a hand-off);
- contact: contact attempts (reached -> contacted);
- replies: replies from templates (placeholders, the health-word warning, send_reply via the outbox);
- workspace: everything typed on an inquiry's admin page, checked and saved in one transaction;
- audit: audit events that change no field, and reading the trail;
- retention: deleting one inquiry, purging the closed ones;
- digest: the triage counts and the daily digest email;
- deadlines: due times in office hours (clinic.hours), "due in 2 h", the time to first contact.

Import direction (the one place it is written down): intake.tasks imports the leaf modules
`delivery` and `digest`, which never import intake.tasks. The modules that queue work after commit
(`submission`, `newsletter`, `staff`, `replies`) import intake.tasks and pass the task object to
`delivery.enqueue`, e.g. `transaction.on_commit(partial(enqueue, tasks.deliver_inquiry, inquiry.pk))`,
and look it up on the module when they run, so either package may be imported first. No module
imports one that imports it back. Views, the admin and commands import `intake.services` (this
package); the names below are re-exported so `from intake.services import X` keeps working.
"""

from intake.queries import due_soon_before

from .audit import (
    EVENT_ATTEMPT_LOGGED,
    EVENT_EXPORTED,
    EVENT_IMAGE_VIEWED,
    EVENT_LABELS,
    EVENT_NOTE_ADDED,
    EVENT_REPORT_EXPORTED,
    EVENT_THUMBNAIL_VIEWED,
    EVENT_VIEWED,
    audit_trail,
    record_event,
    record_events,
    record_report_export,
)
from .contact import log_contact_attempt, status_after_attempt
from .deadlines import due_label, first_contact_text, recompute_due_dates, sla_deadline
from .delivery import (
    DeliveryFailed,
    deliver_inquiry,
    deliver_message,
    enqueue,
    failed_count,
    is_permanent_failure,
    sweep_handoffs,
)
from .digest import due_list, send_triage_digest, triage_counts
from .emails import (
    NEWSLETTER_CONFIRM_MAX_AGE,
    NEWSLETTER_CONFIRM_SALT,
    NEWSLETTER_UNSUBSCRIBE_SALT,
    build_email,
    message_id_header,
    newsletter_confirm_path,
    newsletter_unsubscribe_path,
    subscriber_from_token,
)
from .newsletter import NEWSLETTER_RESEND_AFTER, confirm_subscription, request_subscription, unsubscribe
from .replies import (
    ReplyDraft,
    ReplyRefused,
    check_reply,
    health_words,
    render_reply,
    reply_health_words,
    send_reply,
)
from .retention import PurgeReport, delete_inquiry, purge_inquiries
from .staff import (
    ALLOWED_MOVES,
    TriageRefused,
    add_note,
    allowed_moves,
    assign_inquiry,
    move_inquiry,
    move_refusal,
    retry_handoff,
    set_priority,
    triage_staff,
)
from .submission import INQUIRY_MESSAGES, submit_inquiry
from .uploads import ImageNotStored, sweep_orphan_images
from .workspace import AttemptEdit, TriageEdit, check_triage, save_triage

__all__ = [
    "due_label",
    "due_list",
    "due_soon_before",
    "first_contact_text",
    "recompute_due_dates",
    "sla_deadline",
    "ReplyDraft",
    "ReplyRefused",
    "check_reply",
    "health_words",
    "render_reply",
    "reply_health_words",
    "send_reply",
    "EVENT_ATTEMPT_LOGGED",
    "AttemptEdit",
    "TriageEdit",
    "check_triage",
    "log_contact_attempt",
    "move_refusal",
    "save_triage",
    "status_after_attempt",
    "ALLOWED_MOVES",
    "EVENT_EXPORTED",
    "EVENT_IMAGE_VIEWED",
    "EVENT_LABELS",
    "EVENT_NOTE_ADDED",
    "EVENT_REPORT_EXPORTED",
    "EVENT_THUMBNAIL_VIEWED",
    "EVENT_VIEWED",
    "INQUIRY_MESSAGES",
    "NEWSLETTER_CONFIRM_MAX_AGE",
    "NEWSLETTER_CONFIRM_SALT",
    "NEWSLETTER_RESEND_AFTER",
    "NEWSLETTER_UNSUBSCRIBE_SALT",
    "DeliveryFailed",
    "PurgeReport",
    "TriageRefused",
    "add_note",
    "allowed_moves",
    "assign_inquiry",
    "audit_trail",
    "build_email",
    "confirm_subscription",
    "delete_inquiry",
    "deliver_inquiry",
    "deliver_message",
    "enqueue",
    "is_permanent_failure",
    "failed_count",
    "message_id_header",
    "move_inquiry",
    "newsletter_confirm_path",
    "newsletter_unsubscribe_path",
    "purge_inquiries",
    "record_event",
    "record_events",
    "record_report_export",
    "request_subscription",
    "retry_handoff",
    "send_triage_digest",
    "set_priority",
    "submit_inquiry",
    "sweep_orphan_images",
    "ImageNotStored",
    "subscriber_from_token",
    "sweep_handoffs",
    "triage_counts",
    "triage_staff",
    "unsubscribe",
]
