"""Staff triage of inquiries in Django admin.

Everything that changes an inquiry goes through intake.services (the form's status, assignee and
priority; the "Assign to me" and "Move to ..." buttons; notes; bulk actions; deletes), so the state
machine and the audit trail apply however staff work. Views of the page and of the image are
recorded too; the change page shows the latest audit entries.
"""

import csv
import io
import mimetypes
from datetime import timedelta
from pathlib import PurePosixPath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from . import services
from .models import Inquiry, Note, OutboxMessage, Subscriber

# The change page shows this many audit entries; the rest are on the audit trail page.
AUDIT_ENTRIES_ON_PAGE = 20
THUMBNAIL_SIZE = (480, 480)


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


def format_age(age: timedelta) -> str:
    """ "45 min", "3 h", "2 d": how long ago an inquiry came in, at a glance."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def user_label(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


# --- The audit trail, as staff read it ---------------------------------------------------------


def describe_entry(entry) -> str:
    """One audit entry in words: "Status: New → Contacted", "Downloaded the image", ..."""
    event = (entry.additional_data or {}).get("event")
    if event:
        return services.EVENT_LABELS.get(event, event)
    action = entry.Action
    if entry.action == action.CREATE:
        return "Received through the web site"
    if entry.action == action.DELETE:
        return "Deleted"
    if entry.action == action.ACCESS:
        return services.EVENT_LABELS[services.EVENT_VIEWED]
    labels = {
        "status": dict(Inquiry.Status.choices),
        "priority": {str(value): label for value, label in Inquiry.Priority.choices},
    }
    parts = []
    for field, (old, new) in sorted((entry.changes_dict or {}).items()):
        names = labels.get(field, {})
        old, new = (names.get(v, "nobody" if v == "None" else v) for v in (old, new))
        parts.append(f"{field.capitalize()}: {old} → {new}")
    return "; ".join(parts) or "Changed"


def entry_actor(entry) -> str:
    if entry.actor is not None:
        return user_label(entry.actor)
    if entry.actor_email:
        return f"{entry.actor_email} (account removed)"
    return "the web form" if entry.action == entry.Action.CREATE else "system"


def audit_rows(entries) -> list[dict]:
    return [
        {"when": entry.timestamp, "who": entry_actor(entry), "what": describe_entry(entry), "ip": entry.remote_addr}
        for entry in entries
    ]


# --- Inlines -----------------------------------------------------------------------------------


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


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        labels = {"text": "Note"}


class NoteInline(admin.TabularInline):
    """Notes, oldest first, with a blank one to add. Append-only: saved notes are shown read-only
    to everyone (superusers too) and none can be deleted; services.add_note writes new ones."""

    model = Note
    form = NoteForm
    fields = ["created_at", "author_name", "text"]
    readonly_fields = ["created_at", "author_name"]
    extra = 1
    can_delete = False
    verbose_name = "note"
    verbose_name_plural = "Notes (staff only; a saved note cannot be changed)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="by")
    def author_name(self, note):
        if note.pk is None:
            return "you"
        return user_label(note.author) if note.author_id else "former staff"


# --- Filters -----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open (not closed)"), *Inquiry.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() in Inquiry.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue (new too long)"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=Inquiry.objects.overdue().values("pk"))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = [(str(user.pk), user_label(user)) for user in services.triage_staff()]
        return [("me", "Me"), ("nobody", "Nobody"), *staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "nobody":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


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


# --- The change form ---------------------------------------------------------------------------


class InquiryTriageForm(forms.ModelForm):
    """Staff change the status (only to the moves the state machine allows from where it is now),
    the assignee and the priority; everything the person sent stays as they sent it."""

    class Meta:
        model = Inquiry
        fields = ["status", "assignee", "priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.instance.pk:
            current = self.instance.status
            labels = dict(Inquiry.Status.choices)
            self.fields["status"].choices = [
                (current, f"{labels[current]} (now)"),
                *((status, labels[status]) for status in services.allowed_moves(current)),
            ]
            self.fields["status"].help_text = "Only the moves allowed from the current status are offered."
        if "assignee" in self.fields:
            self.fields["assignee"].label = "Assigned to"
            self.fields["assignee"].empty_label = "Nobody"


CONTACT = (
    "Contact",
    {"fields": ["first_name", "last_name", "email", "phone", "preferred_contact", "office", "callback_window"]},
)
TRIAGE = (
    "Triage",
    {
        "fields": [
            ("reference", "kind"),
            "status",
            "assignee",
            "priority",
            ("submitted_at", "age"),
            "last_move",
            "suggested_type",
            "suggestion_list",
            "handoff",
        ]
    },
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
        ("In their own words", {"fields": ["message", "image_preview"]}),
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

# CSV export columns: (header, value). Health details only with intake.export_health_details.
EXPORT_COLUMNS = [
    ("reference", lambda i: i.reference),
    ("kind", lambda i: i.get_kind_display()),
    ("submitted", lambda i: timezone.localtime(i.submitted_at).strftime("%Y-%m-%d %H:%M")),
    ("status", lambda i: i.get_status_display()),
    ("priority", lambda i: i.get_priority_display()),
    ("assigned to", lambda i: user_label(i.assignee) if i.assignee_id else ""),
    ("first name", lambda i: i.first_name),
    ("last name", lambda i: i.last_name),
    ("email", lambda i: i.email),
    ("phone", lambda i: i.phone),
    ("preferred contact", lambda i: i.get_preferred_contact_display()),
    ("callback window", lambda i: i.callback_window),
    ("office", lambda i: i.office_display),
    ("suggested type", lambda i: i.get_suggested_type_display() or ""),
]
EXPORT_HEALTH_COLUMNS = [
    ("knees", lambda i: i.get_knees_display()),
    ("left pain (0-10)", lambda i: i.left_pain),
    ("right pain (0-10)", lambda i: i.right_pain),
    ("how long", lambda i: i.get_duration_display()),
    ("how it started", lambda i: i.get_onset_display()),
    ("treatments tried", lambda i: ", ".join(i.treatments_tried)),
    ("joint replacement recommended", lambda i: i.get_replacement_recommended_display()),
    ("message", lambda i: i.message),
    ("activities given up", lambda i: i.activities_given_up),
]


def csv_safe(value) -> str:
    """A cell value a spreadsheet will not run as a formula (the public wrote most of them)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    form = InquiryTriageForm
    # A triage list is read from the top (oldest new first); 50 rows a page halves the template work
    # of Django's default 100, which `make bench` showed is most of the page's time.
    list_per_page = 50
    list_display = [
        "reference",
        "name_display",
        "kind",
        "office_label",
        "suggested_type",
        "status_display",
        "assignee_name",
        "age_display",
        "notes_count",
        "handoff_badge",
    ]
    list_filter = [
        StatusFilter,
        OverdueFilter,
        AssigneeFilter,
        "office",
        "suggested_type",
        "kind",
        "priority",
        HandoffFilter,
    ]
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    search_help_text = "Search by reference, name, email or phone."
    date_hierarchy = "submitted_at"
    list_select_related = ["office", "assignee"]
    # New inquiries first, the longest-waiting at the top; then the others, most recent first.
    ordering = [
        Case(When(status=Inquiry.Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
        Case(When(status=Inquiry.Status.NEW, then=F("submitted_at"))).asc(),
        F("submitted_at").desc(),
    ]
    inlines = [NoteInline, OutboxMessageInline]
    actions = ["assign_to_me", "mark_contacted", "mark_not_a_candidate", "export_csv", "retry_handoff"]
    editable_fields = {"status", "assignee", "priority"}

    class Media:
        css = {"all": ["css/intake-admin.css"]}

    def get_queryset(self, request):
        notes = (
            Note.objects.filter(inquiry=OuterRef("pk")).order_by().values("inquiry").annotate(n=Count("pk")).values("n")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related("outbox")
            .annotate(note_count=Coalesce(Subquery(notes, output_field=IntegerField()), 0))
        )

    def get_fieldsets(self, request, obj=None):
        return FIELDSETS.get(obj.kind if obj else "", [TRIAGE, CONTACT])

    def get_readonly_fields(self, request, obj=None):
        fields = {f.name for f in Inquiry._meta.get_fields() if getattr(f, "concrete", False)}
        extra = {"suggestion_list", "handoff", "treatments_list", "image_preview", "age", "last_move"}
        return sorted((fields | extra) - self.editable_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = services.triage_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False  # inquiries come from the public forms only

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_inquiries")

    # --- Columns and read-only fields --------------------------------------------------------

    @admin.display(description="name", ordering="last_name")
    def name_display(self, obj):
        return obj.name

    @admin.display(description="office", ordering="office__order")
    def office_label(self, obj):
        return obj.office.label if obj.office_id else "Either"

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        if obj.priority == Inquiry.Priority.NORMAL:
            return obj.get_status_display()
        return format_html(
            '{} <strong class="triage-priority">{}</strong>', obj.get_status_display(), obj.get_priority_display()
        )

    @admin.display(description="assigned to", ordering="assignee__username")
    def assignee_name(self, obj):
        return user_label(obj.assignee) if obj.assignee_id else "-"

    @admin.display(description="age", ordering="submitted_at")
    def age_display(self, obj):
        age = format_age(timezone.now() - obj.submitted_at)
        if obj.is_overdue:
            return format_html('<strong class="triage-overdue">{}, overdue</strong>', age)
        return age

    @admin.display(description="age")
    def age(self, obj):
        return self.age_display(obj)

    @admin.display(description="notes", ordering="note_count")
    def notes_count(self, obj):
        return obj.note_count

    @admin.display(description="last status move")
    def last_move(self, obj):
        if not obj.status_changed_at:
            return "None yet"
        when = timezone.localtime(obj.status_changed_at).strftime("%b %d, %Y, %H:%M")
        return f"{when} by {user_label(obj.status_changed_by) if obj.status_changed_by_id else 'former staff'}"

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
    def image_preview(self, obj):
        if not obj.image:
            return "None"
        full = reverse("admin:intake_inquiry_image", args=[obj.pk])
        thumbnail = reverse("admin:intake_inquiry_thumbnail", args=[obj.pk])
        return format_html(
            '<a href="{}" class="inquiry-image-link"><img src="{}" class="inquiry-thumbnail" alt="{}"></a>'
            '<br><a href="{}">Open the full image (download)</a>',
            full,
            thumbnail,
            f"The image sent with {obj.reference} (thumbnail; select it to open the full image)",
            full,
        )

    # --- Saving through the services ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Apply the form's triage changes through the services (the state machine, the audit
        log); the model's own save is never called from here."""
        data = form.cleaned_data
        try:
            if "status" in form.changed_data:
                services.move_inquiry(inquiry=obj, to=data["status"], by=request.user)
            if "assignee" in form.changed_data:
                services.assign_inquiry(inquiry=obj, assignee=data["assignee"], by=request.user)
            if "priority" in form.changed_data:
                services.set_priority(inquiry=obj, priority=data["priority"], by=request.user)
        except services.TriageRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Note:
            formset.save()
            return
        # Only the blank forms can hold a note: saved notes are read-only (NoteInline).
        added = []
        for note_form in formset.extra_forms:
            text = note_form.cleaned_data.get("text", "") if note_form.has_changed() else ""
            if text.strip():
                added.append(services.add_note(inquiry=form.instance, text=text, by=request.user))
        # What the admin's change message reads after a formset was saved.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []

    def delete_model(self, request, obj):
        services.delete_inquiry(inquiry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for inquiry in queryset:
            services.delete_inquiry(inquiry=inquiry, by=request.user)

    # --- The change page: record the view, show the triage buttons and the audit trail -------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change:
            if request.method == "GET":
                services.record_event(inquiry=obj, by=request.user, event=services.EVENT_VIEWED)
            context.update(
                audit_rows=audit_rows(services.audit_trail(inquiry=obj, limit=AUDIT_ENTRIES_ON_PAGE)),
                triage_moves=[(s, Inquiry.Status(s).label) for s in services.allowed_moves(obj.status)],
                can_triage=self.has_change_permission(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        def view(fn):
            return self.admin_site.admin_view(fn)

        return [
            path("<int:pk>/image/", view(self.image_view), name="intake_inquiry_image"),
            path("<int:pk>/image/thumbnail/", view(self.thumbnail_view), name="intake_inquiry_thumbnail"),
            path("<int:pk>/triage/", view(require_POST(self.triage_view)), name="intake_inquiry_triage"),
            path("<int:pk>/audit/", view(self.audit_view), name="intake_inquiry_audit"),
            *super().get_urls(),
        ]

    def _inquiry_for(self, request, pk, *, change=False) -> Inquiry:
        inquiry = get_object_or_404(Inquiry.objects.select_related("assignee"), pk=pk)
        allowed = self.has_change_permission(request, inquiry) if change else self.has_view_permission(request, inquiry)
        if not allowed:
            raise PermissionDenied
        return inquiry

    def _open_image(self, inquiry: Inquiry):
        if not inquiry.image:
            raise Http404("No image")
        try:
            return inquiry.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The image file is missing") from exc

    def image_view(self, request, pk):
        """The patient's image, to staff allowed to view the inquiry; always as a download, and
        recorded in the audit trail."""
        inquiry = self._inquiry_for(request, pk)
        handle = self._open_image(inquiry)
        services.record_event(inquiry=inquiry, by=request.user, event=services.EVENT_IMAGE_VIEWED)
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

    def thumbnail_view(self, request, pk):
        """A small JPEG of the patient's image for the change page, made on each request (nothing
        more is stored) and recorded in the audit trail."""
        inquiry = self._inquiry_for(request, pk)
        with self._open_image(inquiry) as handle:
            try:
                with Image.open(handle) as image:
                    image.draft("RGB", THUMBNAIL_SIZE)  # JPEGs decode at a fraction of full size
                    image.thumbnail(THUMBNAIL_SIZE)
                    buffer = io.BytesIO()
                    image.convert("RGB").save(buffer, "JPEG", quality=85)
            except (UnidentifiedImageError, OSError) as exc:
                raise Http404("The image cannot be read") from exc
        services.record_event(inquiry=inquiry, by=request.user, event=services.EVENT_THUMBNAIL_VIEWED)
        response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def triage_view(self, request, pk):
        """The change page's buttons: "Assign to me" (assign=me) and "Move to ..." (move=<status>)."""
        inquiry = self._inquiry_for(request, pk, change=True)
        try:
            if request.POST.get("assign") == "me":
                services.assign_inquiry(inquiry=inquiry, assignee=request.user, by=request.user)
                self.message_user(request, f"{inquiry.reference} is assigned to you.", messages.SUCCESS)
            elif "move" in request.POST:
                services.move_inquiry(inquiry=inquiry, to=request.POST["move"], by=request.user)
                label = inquiry.get_status_display().lower()
                self.message_user(request, f"{inquiry.reference} moved to {label}.", messages.SUCCESS)
        except services.TriageRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:intake_inquiry_change", args=[inquiry.pk]))

    def audit_view(self, request, pk):
        """The inquiry's whole audit trail, newest first, 50 a page."""
        inquiry = self._inquiry_for(request, pk)
        page = Paginator(services.audit_trail(inquiry=inquiry), 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit trail of {inquiry.reference}",
            "opts": self.model._meta,
            "original": inquiry,
            "page": page,
            "audit_rows": audit_rows(page.object_list),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/intake/inquiry/audit_trail.html", context)

    # --- Bulk actions ------------------------------------------------------------------------

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

    @admin.action(description="Mark the selected inquiries contacted", permissions=["change"])
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
        inquiries = list(queryset.select_related("office", "assignee").order_by("submitted_at"))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([header for header, _ in columns])
        for inquiry in inquiries:
            writer.writerow([csv_safe(value(inquiry)) for _, value in columns])
        services.record_events(inquiries=inquiries, by=request.user, event=services.EVENT_EXPORTED)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inquiries-{stamp}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description="Retry sending the emails of the selected inquiries", permissions=["change"])
    def retry_handoff(self, request, queryset):
        count = sum(services.retry_handoff(inquiry=inquiry) for inquiry in queryset)
        self.message_user(request, f"Queued the hand-off again ({count} given-up email(s) reset).", messages.SUCCESS)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]

    def has_add_permission(self, request):
        return False  # double opt-in only: an address subscribes itself
