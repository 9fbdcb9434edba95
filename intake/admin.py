"""Staff's view of inquiries: read-mostly. The triage workflow (assignee, notes, audit, export)
builds on this in its own issue."""

import mimetypes
from pathlib import PurePosixPath

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import services
from .models import Inquiry, OutboxMessage, Subscriber


def handoff_summary(inquiry: Inquiry) -> tuple[str, str]:
    """(state, detail) of an inquiry's emails: sent, pending, failing or failed."""
    rows = list(inquiry.outbox.all())
    if not rows:
        return "sent", ""
    states = [row.handoff_state for row in rows]
    for state in ("failed", "failing"):
        if state in states:
            row = rows[states.index(state)]
            return state, f"{row.get_kind_display()}: attempt {row.attempts}, {row.last_error}"
    if "pending" in states:
        return "pending", ""
    return "sent", ""


class OutboxMessageInline(admin.TabularInline):
    model = OutboxMessage
    fields = ["kind", "status", "attempts", "last_attempt_at", "last_error", "sent_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "email"
    verbose_name_plural = "Hand-off to staff and patient (emails)"

    def has_add_permission(self, request, obj=None):
        return False


class HandoffFilter(admin.SimpleListFilter):
    title = "hand-off"
    parameter_name = "handoff"

    def lookups(self, request, model_admin):
        return [("sent", "Sent"), ("pending", "Pending"), ("failing", "Failing or failed")]

    def queryset(self, request, queryset):
        unsent = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT)
        if self.value() == "sent":
            return queryset.exclude(pk__in=unsent.values("inquiry"))
        if self.value() == "pending":
            return queryset.filter(
                pk__in=unsent.filter(status=OutboxMessage.Status.PENDING, last_error="").values("inquiry")
            )
        if self.value() == "failing":
            failing = unsent.exclude(status=OutboxMessage.Status.PENDING, last_error="")
            return queryset.filter(pk__in=failing.values("inquiry"))
        return queryset


CONTACT = (
    "Contact",
    {"fields": ["first_name", "last_name", "email", "phone", "preferred_contact", "office", "callback_window"]},
)
TRIAGE = (
    "Triage",
    {"fields": ["reference", "kind", "status", "submitted_at", "suggested_type", "suggestion_list", "handoff"]},
)
CONSENT = ("Consent", {"fields": ["consent_to_contact", "out_of_network_acknowledged"]})
FIELDSETS = {
    Inquiry.Kind.CANDIDATE: [
        TRIAGE,
        CONTACT,
        (
            "The knee",
            {
                "fields": [
                    "knees",
                    ("left_pain", "left_pain_time"),
                    ("right_pain", "right_pain_time"),
                    "duration",
                    "onset",
                    "ligament_or_tendon_pain",
                    "clicking",
                    "worse_with_activity",
                    "better_with_rest",
                ]
            },
        ),
        (
            "Tried, and how it affects them",
            {
                "fields": [
                    "treatments_list",
                    "replacement_recommended",
                    "pain_medication",
                    "otherwise_healthy",
                    "sleep_interrupted",
                    "instability",
                    "swelling",
                    "activities_given_up",
                ]
            },
        ),
        ("In their own words", {"fields": ["message", "image_link"]}),
        CONSENT,
    ],
    Inquiry.Kind.QUESTION: [TRIAGE, CONTACT, ("The question", {"fields": ["article", "message"]}), CONSENT],
    Inquiry.Kind.APPOINTMENT: [
        TRIAGE,
        CONTACT,
        ("The appointment", {"fields": ["patient_status", "preferred_days", "preferred_times", "message"]}),
        CONSENT,
    ],
}


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "kind",
        "submitted_at",
        "name",
        "office_label",
        "suggested_type",
        "handoff_badge",
        "status",
    ]
    list_filter = ["kind", "status", "suggested_type", HandoffFilter, "office"]
    search_fields = ["reference", "last_name", "first_name", "email"]
    date_hierarchy = "submitted_at"
    list_select_related = ["office"]
    inlines = [OutboxMessageInline]
    actions = ["retry_handoff"]
    # Staff change the status here; everything the person sent stays as they sent it.
    editable_fields = {"status"}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("outbox")

    def get_fieldsets(self, request, obj=None):
        return FIELDSETS.get(obj.kind if obj else "", [TRIAGE, CONTACT])

    def get_readonly_fields(self, request, obj=None):
        fields = {f.name for f in Inquiry._meta.get_fields() if getattr(f, "concrete", False)}
        extra = {"suggestion_list", "handoff", "treatments_list", "image_link"}
        return sorted((fields | extra) - self.editable_fields)

    def has_add_permission(self, request):
        return False  # inquiries come from the public forms only

    @admin.display(description="office", ordering="office__order")
    def office_label(self, obj):
        return obj.office_display

    @admin.display(description="hand-off")
    def handoff_badge(self, obj):
        state, _ = handoff_summary(obj)
        return state

    @admin.display(description="hand-off")
    def handoff(self, obj):
        state, detail = handoff_summary(obj)
        return f"{state}: {detail}" if detail else state

    @admin.display(description="why this type (staff only)")
    def suggestion_list(self, obj):
        if not obj.suggestion_reasons:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in obj.suggestion_reasons)))

    @admin.display(description="treatments tried")
    def treatments_list(self, obj):
        labels = dict(Inquiry.Treatment.choices)
        return ", ".join(labels.get(value, value) for value in obj.treatments_tried) or "None"

    @admin.display(description="image of a report")
    def image_link(self, obj):
        if not obj.image:
            return "None"
        url = reverse("admin:intake_inquiry_image", args=[obj.pk])
        return format_html('<a href="{}">Download the image</a>', url)

    @admin.action(description="Retry sending the emails of the selected inquiries")
    def retry_handoff(self, request, queryset):
        count = sum(services.retry_handoff(inquiry=inquiry) for inquiry in queryset)
        self.message_user(request, f"Queued the hand-off again ({count} given-up email(s) reset).", messages.SUCCESS)

    def get_urls(self):
        image = self.admin_site.admin_view(self.image_view)
        return [path("<int:pk>/image/", image, name="intake_inquiry_image"), *super().get_urls()]

    def image_view(self, request, pk):
        """The patient's image, to staff allowed to view the inquiry; always as a download."""
        inquiry = get_object_or_404(Inquiry, pk=pk)
        if not self.has_view_permission(request, inquiry):
            raise PermissionDenied
        if not inquiry.image:
            raise Http404("No image")
        try:
            handle = inquiry.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The image file is missing") from exc
        suffix = PurePosixPath(inquiry.image.name).suffix
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{inquiry.reference}{suffix}",
            content_type=mimetypes.guess_type(inquiry.image.name)[0] or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]

    def has_add_permission(self, request):
        return False  # double opt-in only: an address subscribes itself
