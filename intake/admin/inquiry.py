"""The inquiry list and change page: columns, filters, fieldsets, and saving through the services."""

from django.contrib import admin, messages
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from intake import services
from intake.models import Inquiry, Note
from intake.sections import CANDIDACY_SECTIONS, CONTACT_FIELDS

from .actions import InquiryActions
from .audit import audit_rows
from .display import format_age, user_label
from .filters import AssigneeFilter, HandoffFilter, OverdueFilter, StatusFilter
from .forms import InquiryTriageForm
from .inlines import NoteInline, OutboxMessageInline
from .views import InquiryViews

# The change page shows this many audit entries; the rest are on the audit trail page.
AUDIT_ENTRIES_ON_PAGE = 20

CONTACT = ("Contact", {"fields": [*CONTACT_FIELDS, "callback_window"]})
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
# What the admin shows in place of a form field: read-only displays of the same answers.
ADMIN_FIELD = {"treatments_tried": "treatments_list", "image": "image_preview"}
FIELDSETS = {
    Inquiry.Kind.CANDIDATE: [
        TRIAGE,
        *(
            (section.staff_title, {"fields": [ADMIN_FIELD.get(item, item) for item in section.fields]})
            for section in CANDIDACY_SECTIONS
        ),
    ],
    Inquiry.Kind.QUESTION: [TRIAGE, CONTACT, ("The question", {"fields": ["article", "message"]}), CONSENT],
    Inquiry.Kind.APPOINTMENT: [
        TRIAGE,
        CONTACT,
        ("The appointment", {"fields": ["patient_status", "preferred_days", "preferred_times", "message"]}),
        CONSENT,
    ],
}


class InquiryAdmin(InquiryViews, InquiryActions, admin.ModelAdmin):
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
            .filter(held_as_spam=False)  # listed apart: intake.admin.spam
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
        state, _ = obj.handoff_summary()
        return state

    @admin.display(description="hand-off")
    def handoff(self, obj):
        state, detail = obj.handoff_summary()
        return f"{state}: {detail}" if detail else state

    @admin.display(description="why this type (staff only)")
    def suggestion_list(self, obj):
        if not obj.suggestion_reasons:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in obj.suggestion_reasons)))

    @admin.display(description="treatments tried")
    def treatments_list(self, obj):
        labels, helped = dict(Inquiry.Treatment.choices), dict(Inquiry.Helped.choices)
        outcome = {t: f" (helped: {helped[o].lower()})" for t, o in obj.treatment_outcomes.items() if o in helped}
        return ", ".join(labels.get(v, v) + outcome.get(v, "") for v in obj.treatments_tried) or "None"

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
