"""The inquiry list's bulk actions: assign, log a contact attempt (with a confirmation page), move,
retry the hand-off, and the CSV export."""

import csv
import io

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from clinic.middleware import client_ip
from intake import services
from intake.models import Inquiry

from .columns import office_label
from .display import format_when, user_label
from .forms import BulkAttemptForm


def _labels(choices, values) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(value, value)) for value in values)


def _yes_no(field_name: str):
    return lambda i: "Yes" if getattr(i, field_name) else "No"


# CSV export columns: (header, value), human labels throughout. Health details (every answer) only
# with intake.export_health_details.
EXPORT_COLUMNS = [
    ("reference", lambda i: i.reference),
    ("kind", lambda i: i.get_kind_display()),
    ("submitted", lambda i: format_when(i.submitted_at)),
    ("status", lambda i: i.get_status_display()),
    ("priority", lambda i: i.get_priority_display()),
    ("assigned to", lambda i: user_label(i.assignee) if i.assignee_id else ""),
    ("contact attempts", lambda i: i.attempt_count),
    ("first name", lambda i: i.first_name),
    ("last name", lambda i: i.last_name),
    ("email", lambda i: i.email),
    ("phone", lambda i: i.phone),
    ("preferred contact", lambda i: i.get_preferred_contact_display()),
    ("callback window", lambda i: i.callback_window),
    ("office", office_label),
    ("consent to contact", _yes_no("consent_to_contact")),
    ("out-of-network acknowledged", _yes_no("out_of_network_acknowledged")),
    ("suggested type", lambda i: i.get_suggested_type_display() or ""),
]
EXPORT_HEALTH_COLUMNS = [
    ("knees", lambda i: i.get_knees_display()),
    ("left pain (0-10)", lambda i: i.left_pain),
    ("left knee hurts, % of the time", lambda i: i.left_pain_time),
    ("right pain (0-10)", lambda i: i.right_pain),
    ("right knee hurts, % of the time", lambda i: i.right_pain_time),
    ("how long", lambda i: i.get_duration_display()),
    ("how it started", lambda i: i.get_onset_display()),
    ("ligament or tendon pain", _yes_no("ligament_or_tendon_pain")),
    ("clicking or popping", _yes_no("clicking")),
    ("worse with activity", _yes_no("worse_with_activity")),
    ("better with rest", _yes_no("better_with_rest")),
    ("treatments tried", lambda i: _labels(Inquiry.Treatment.choices, i.treatments_tried)),
    ("joint replacement recommended", lambda i: i.get_replacement_recommended_display()),
    ("pain medication", lambda i: i.get_pain_medication_display()),
    ("otherwise healthy", lambda i: i.get_otherwise_healthy_display()),
    ("sleep interrupted", _yes_no("sleep_interrupted")),
    ("knee gives way", _yes_no("instability")),
    ("swelling", _yes_no("swelling")),
    ("activities given up", lambda i: i.activities_given_up),
    ("message", lambda i: i.message),
    ("image sent", lambda i: "Yes" if i.image else "No"),
    ("patient status", lambda i: i.get_patient_status_display()),
    ("preferred days", lambda i: ", ".join(i.preferred_days)),
    ("preferred times", lambda i: ", ".join(i.preferred_times)),
]


def csv_safe(value) -> str:
    """A cell value a spreadsheet will not run as a formula (the public wrote most of them)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class InquiryActions:
    """Mixed into InquiryAdmin: the actions it lists, each through intake.services."""

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_inquiries")

    @admin.action(description="Assign the selected inquiries to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = 0
        try:
            for inquiry in queryset:
                changed += services.assign_inquiry(inquiry=inquiry, assignee=request.user, by=request.user)
        except services.TriageRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Assigned {changed} inquiry(ies) to you.", messages.SUCCESS)

    def _bulk_move(self, request, queryset, to: str) -> None:
        moved, refused = 0, []
        for inquiry in queryset:
            try:
                services.move_inquiry(inquiry=inquiry, to=to, by=request.user)
                moved += 1
            except services.TriageRefused as exc:
                refused.append(str(exc))
        label = Inquiry.Status(to).label.lower()
        if moved:
            self.message_user(request, f"Moved {moved} inquiry(ies) to {label}.", messages.SUCCESS)
        if refused:
            shown = " ".join(refused[:10]) + (f" And {len(refused) - 10} more." if len(refused) > 10 else "")
            self.message_user(request, f"Not moved ({len(refused)}): {shown}", messages.WARNING)

    @admin.action(description="Log a contact attempt for the selected inquiries…", permissions=["change"])
    def log_contact_attempt(self, request, queryset):
        """A confirmation page asks how, the outcome and a note; then one attempt for each
        selected inquiry (reached: moved to contacted), through services.log_contact_attempt."""
        form = BulkAttemptForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            attempt = form.edit
            moved = 0
            for inquiry in queryset:
                before = inquiry.status
                services.log_contact_attempt(inquiry=inquiry, by=request.user, **vars(attempt))
                moved += inquiry.status != before
            outcome = dict(form.fields["attempt_outcome"].choices)[attempt.outcome].lower()
            text = f"Logged a contact attempt ({outcome}) on {len(queryset)} inquiry(ies)"
            self.message_user(request, text + (f"; {moved} moved to contacted." if moved else "."), messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Log a contact attempt",
            "opts": self.model._meta,
            "inquiries": queryset.select_related("office"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/intake/inquiry/log_attempt.html", context)

    @admin.action(description="Mark the selected inquiries contacted (needs a logged attempt)", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._bulk_move(request, queryset, Inquiry.Status.CONTACTED)

    @admin.action(description="Mark the selected inquiries not a candidate", permissions=["change"])
    def mark_not_a_candidate(self, request, queryset):
        self._bulk_move(request, queryset, Inquiry.Status.NOT_A_CANDIDATE)

    @admin.action(description="Export the selected inquiries as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        """A CSV of the selected rows; health details (answers and free text) only for users with
        intake.export_health_details. Each exported inquiry gets an "exported" audit entry."""
        columns = list(EXPORT_COLUMNS)
        if request.user.has_perm("intake.export_health_details"):
            columns += EXPORT_HEALTH_COLUMNS
        # defer(None): the list defers the encrypted health details, which the export may include.
        inquiries = list(queryset.defer(None).select_related("office", "assignee").order_by("submitted_at"))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([header for header, _ in columns])
        for inquiry in inquiries:
            writer.writerow([csv_safe(value(inquiry)) for _, value in columns])
        services.record_events(
            inquiries=inquiries,
            by=request.user,
            event=services.EVENT_EXPORTED,
            detail={"rows": len(inquiries)},
            remote_addr=client_ip(request),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inquiries-{stamp}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description="Retry sending the emails of the selected inquiries", permissions=["change"])
    def retry_handoff(self, request, queryset):
        count = sum(services.retry_handoff(inquiry=inquiry) for inquiry in queryset)
        self.message_user(request, f"Queued the hand-off again ({count} given-up email(s) reset).", messages.SUCCESS)
