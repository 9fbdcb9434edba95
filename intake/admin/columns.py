"""The inquiry list's columns, short enough to fit 1280 px without scrolling: the status cell
carries the priority, the overdue mark and a failing hand-off; the office is its short label; the
deadline says "due in 2 h" or "overdue by 3 h" (services.due_label)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from intake import services
from intake.models import Inquiry

from .display import format_age, user_label

NO_OFFICE = "Either office, or remote"  # as Inquiry.office_display and the forms say it


def office_label(inquiry: Inquiry) -> str:
    """The one office label (list, filter, change page, CSV, the staff email): the office's short
    label, or NO_OFFICE."""
    return inquiry.office_display


class InquiryColumns:
    """Mixed into InquiryAdmin: the list's cells (the change page reuses a few)."""

    @admin.display(description="name", ordering="last_name")
    def name_display(self, obj):
        return format_html('{}<span class="triage-kind">{}</span>', obj.name, obj.get_kind_display())

    @admin.display(description="office", ordering="office__order")
    def office_label(self, obj):
        return office_label(obj)

    @admin.display(description="type", ordering="suggested_type")
    def type_display(self, obj):
        return obj.get_suggested_type_display() or "-"

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        parts = [("triage-status", obj.get_status_display())]
        if obj.priority != Inquiry.Priority.NORMAL:
            parts.append(("triage-priority", obj.get_priority_display()))
        if obj.is_overdue:
            parts.append(("triage-overdue", "Overdue"))
        state, _ = obj.handoff_summary()
        if state in ("failing", "failed"):
            parts.append(("triage-overdue", f"Emails {state}"))
        return format_html_join(" ", '<span class="{}">{}</span>', parts)

    @admin.display(description="age", ordering="submitted_at")
    def age_display(self, obj):
        age = format_age(timezone.now() - obj.submitted_at)
        if obj.is_overdue:  # the word "Overdue" is in the status cell
            return format_html('<strong class="triage-overdue">{}</strong>', age)
        return age

    @admin.display(description="deadline", ordering="due_at")
    def due_display(self, obj):
        label = services.due_label(obj)
        if not label:
            return "-"
        if obj.is_overdue:
            return format_html('<strong class="triage-overdue">{}</strong>', label)
        if obj.due_at < services.due_soon_before(timezone.now()):
            return format_html('<strong class="triage-due-soon">{}</strong>', label)
        return label

    @admin.display(description="assigned to", ordering="assignee__first_name")
    def assignee_name(self, obj):
        return user_label(obj.assignee) if obj.assignee_id else "Nobody"

    @admin.display(description="attempts", ordering="attempt_count")
    def attempts_display(self, obj):
        return obj.attempt_count

    @admin.display(description="notes", ordering="note_count")
    def notes_count(self, obj):
        return obj.note_count
