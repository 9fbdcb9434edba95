"""The inquiry list and change page: columns, filters, fieldsets, and saving through the services.

The change page is a workspace (templates/admin/intake/inquiry/change_form.html): the patient
first, the triage side beside it, and every button on it saves everything typed in one request
(forms.InquiryTriageForm, services.save_triage) or refuses it all with what was typed kept.
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from intake import crypto, services
from intake.models import ContactAttempt, Inquiry, Note, OutboxMessage, phone_digits
from intake.sections import CANDIDACY_SECTIONS, CONTACT_FIELDS

from .actions import InquiryActions
from .audit import audit_rows
from .columns import InquiryColumns
from .display import format_age, format_when, user_label, yes_no
from .filters import AssigneeFilter, HandoffFilter, OfficeFilter, OverdueFilter, ReceivedFilter, StatusFilter
from .forms import ACTION, InquiryTriageForm
from .inlines import OutboxMessageInline
from .replies import InquiryReplyView
from .reports import ReportViews
from .rows import KeysFirstPaginator
from .views import InquiryViews

# The change page shows this many audit entries; the rest are on the audit trail page.
AUDIT_ENTRIES_ON_PAGE = 20

YES_NO_FIELDS = [f.name for f in Inquiry._meta.get_fields() if isinstance(f, models.BooleanField)]
# What the admin shows in place of a stored field: read-only displays of the same answers.
ADMIN_FIELD = {
    "treatments_tried": "treatments_list",
    "office": "office_label",
    **{name: f"{name}_answer" for name in YES_NO_FIELDS},
}


# Shown once, in the patient card at the top (each thumbnail shown is an audit entry).
TOP_ONLY = {"image"}


def shown(fields) -> list:
    return [
        tuple(ADMIN_FIELD.get(f, f) for f in item) if isinstance(item, tuple) else ADMIN_FIELD.get(item, item)
        for item in fields
        if item not in TOP_ONLY
    ]


RECEIVED = ("Received", {"fields": [("reference", "kind"), ("received", "age"), "last_move"]})
CONTACT = ("Contact", {"fields": shown([*CONTACT_FIELDS, "callback_window"])})
PRIVACY_NOTICE = ("privacy_notice_version", "privacy_agreed_at")
CONSENT = ("Consent", {"fields": shown(["consent_to_contact", "out_of_network_acknowledged", PRIVACY_NOTICE])})
# Shown after a section's own fields: the privacy notice the person agreed to, beside the consent.
ADMIN_EXTRA = {"send": [PRIVACY_NOTICE]}
FIELDSETS = {
    Inquiry.Kind.CANDIDATE: [
        RECEIVED,
        *(
            (section.staff_title, {"fields": [*shown(section.fields), *ADMIN_EXTRA.get(section.anchor, [])]})
            for section in CANDIDACY_SECTIONS
        ),
    ],
    Inquiry.Kind.QUESTION: [RECEIVED, CONTACT, ("The question", {"fields": ["article", "message"]}), CONSENT],
    Inquiry.Kind.APPOINTMENT: [
        RECEIVED,
        CONTACT,
        ("The appointment", {"fields": ["patient_status", "preferred_days", "preferred_times", "message"]}),
        CONSENT,
    ],
}
# Typed on the triage side of the page (the template places them); the answers are read-only.
EDITABLE_FIELDS = ["assignee", "priority"]


def _count(model):
    rows = model.objects.filter(inquiry=OuterRef("pk")).order_by().values("inquiry").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


class InquiryAdmin(InquiryReplyView, InquiryViews, ReportViews, InquiryActions, InquiryColumns, admin.ModelAdmin):
    form = InquiryTriageForm
    # A triage list is read from the top (oldest new first); 50 rows a page halves the template work
    # of Django's default 100, which `make bench` showed is most of the page's time.
    list_per_page = 50
    # The page's rows by their keys first (rows.KeysFirstPaginator); one count, not two (the
    # "N total" beside a search is not shown).
    paginator = KeysFirstPaginator
    show_full_result_count = False
    list_display = [
        "reference",
        "name_display",
        "office_label",
        "type_display",
        "status_display",
        "age_display",
        "due_display",
        "assignee_name",
        "attempts_display",
        "notes_count",
    ]
    list_filter = [
        StatusFilter,
        OverdueFilter,
        AssigneeFilter,
        OfficeFilter,
        "suggested_type",
        "kind",
        "priority",
        HandoffFilter,
        ("submitted_at", ReceivedFilter),
    ]
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    search_help_text = "Search by reference, name, email or phone (digits alone will do)."
    list_select_related = ["office", "assignee"]
    # New inquiries first, the longest-waiting at the top; then the others, most recent first.
    ordering = [
        Case(When(status=Inquiry.Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
        Case(When(status=Inquiry.Status.NEW, then=F("submitted_at"))).asc(),
        F("submitted_at").desc(),
    ]
    inlines = [OutboxMessageInline]
    actions = [
        "assign_to_me",
        "log_contact_attempt",
        "mark_contacted",
        "mark_not_a_candidate",
        "export_csv",
        "retry_handoff",
    ]

    class Media:
        css = {"all": ["css/intake-admin.css"]}
        js = ["js/triage-unsaved.js"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .filter(held_as_spam=False)  # listed apart: intake.admin.spam
            # The emails' states only: a reply's encrypted subject and text are not read (or decrypted).
            .prefetch_related(Prefetch("outbox", queryset=OutboxMessage.objects.defer("subject", "body")))
            .annotate(note_count=_count(Note), attempt_count=_count(ContactAttempt))
        )
        if getattr(request.resolver_match, "url_name", None) == "intake_inquiry_changelist":
            # The list shows no health detail: none is read, so none is decrypted (intake.crypto).
            queryset = queryset.defer(*crypto.encrypted_field_names(Inquiry))
        return queryset

    def get_search_results(self, request, queryset, search_term):
        """A phone number is found by its digits however it was typed: "555-0103" and "5550103"
        both find "(239) 555-0103" (the stored phone_digits)."""
        digits = phone_digits(search_term)
        if len(digits) >= 4 and not search_term.strip().strip("0123456789 ()+-."):
            return queryset.filter(Q(phone_digits__contains=digits) | Q(reference__icontains=search_term)), False
        return super().get_search_results(request, queryset, search_term)

    def get_fieldsets(self, request, obj=None):
        return FIELDSETS.get(obj.kind if obj else "", [RECEIVED, CONTACT])

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = EDITABLE_FIELDS if self.has_change_permission(request, obj) else []
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        fields = {f.name for f in Inquiry._meta.get_fields() if getattr(f, "concrete", False)}
        extra = {"suggestion_list", "handoff", "treatments_list", "image_preview", "age", "last_move", "received"}
        extra |= {"office_label", *(f"{name}_answer" for name in YES_NO_FIELDS)}
        return sorted((fields | extra) - set(EDITABLE_FIELDS))

    def has_add_permission(self, request):
        return False  # inquiries come from the public forms only

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # --- Read-only fields of the change page ---------------------------------------------------

    @admin.display(description="received")
    def received(self, obj):
        return format_when(obj.submitted_at)

    @admin.display(description="age")
    def age(self, obj):
        return self.age_display(obj)

    @admin.display(description="last status move")
    def last_move(self, obj):
        if not obj.status_changed_at:
            return "None yet"
        who = user_label(obj.status_changed_by) if obj.status_changed_by_id else "former staff"
        return f"{format_when(obj.status_changed_at)} by {who}"

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
        """Everything typed, through services.save_triage in the admin's transaction (checked
        already by the form under the same row lock); the model's own save is never called."""
        if form.edit is None:
            return
        done = services.save_triage(inquiry=obj, edit=form.edit, by=request.user)
        if done:
            self.message_user(request, f"{obj.reference}: {', '.join(done)}.", messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        pass  # the only inline (the emails) is read-only

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"changed": {"fields": sorted(form.changed_data)}}] if form.changed_data else []

    def response_change(self, request, obj):
        if ACTION in request.POST or "_continue" in request.POST:
            return HttpResponseRedirect(reverse("admin:intake_inquiry_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        services.delete_inquiry(inquiry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for inquiry in queryset:
            services.delete_inquiry(inquiry=inquiry, by=request.user)

    # --- The change page: record the view; the triage side's lists and buttons ---------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change:
            if request.method == "GET":
                services.record_event(inquiry=obj, by=request.user, event=services.EVENT_VIEWED)
            context.update(
                audit_rows=audit_rows(services.audit_trail(inquiry=obj, limit=AUDIT_ENTRIES_ON_PAGE)),
                triage_moves=[(s, Inquiry.Status(s).label) for s in services.allowed_moves(obj.status)],
                can_triage=self.has_change_permission(request, obj),
                reply_url=reverse("admin:intake_inquiry_reply", args=[obj.pk]),
                notes=logged(obj.notes.select_related("author"), "author"),
                attempts=logged(obj.contact_attempts.select_related("by"), "by"),
                handoff=self.handoff(obj),
                deadline=services.due_label(obj),
                first_contact=services.first_contact_text(obj),
                patient=patient_card(self, obj),
                triage_action=ACTION,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def logged(rows, by: str) -> list[dict]:
    """Notes or contact attempts with when and who, as the triage side lists them."""
    return [
        {
            "row": row,
            "when": format_when(row.created_at if hasattr(row, "created_at") else row.at),
            "who": user_label(getattr(row, by)) if getattr(row, f"{by}_id") else "former staff",
        }
        for row in rows
    ]


def phone_uri(phone: str) -> str:
    """A tel: link that dials from a phone: a ten-digit number is a US one (+1)."""
    digits = phone_digits(phone)
    if not digits:
        return ""
    return f"tel:+1{digits}" if len(digits) == 10 else f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def patient_card(model_admin, inquiry: Inquiry) -> dict:
    """What the top of the change page says about the patient, the answers in words."""
    pain = [
        f"{side}: {level}/10" + (f", {time}% of the time" if time is not None else "")
        for side, level, time in (
            ("Left", inquiry.left_pain, inquiry.left_pain_time),
            ("Right", inquiry.right_pain, inquiry.right_pain_time),
        )
        if level is not None
    ]
    return {
        "phone_uri": phone_uri(inquiry.phone),
        "office": model_admin.office_label(inquiry),
        "pain": "; ".join(pain),
        "tried": model_admin.treatments_list(inquiry) if inquiry.treatments_tried else "",
        "image": model_admin.image_preview(inquiry) if inquiry.image else "",
        "age": format_age(timezone.now() - inquiry.submitted_at),
        "received": format_when(inquiry.submitted_at),
    }


for _name in YES_NO_FIELDS:
    setattr(InquiryAdmin, f"{_name}_answer", yes_no(_name, Inquiry._meta.get_field(_name).verbose_name))
