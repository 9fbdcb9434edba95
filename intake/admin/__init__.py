"""Staff triage of inquiries in Django admin: presentation only.

Everything that changes an inquiry goes through intake.services (the form's status, assignee and
priority; the "Assign to me" and "Move to ..." buttons; notes; bulk actions; deletes), so the state
machine and the audit trail apply however staff work. Views of the page and of the image are
recorded too; the change page shows the latest audit entries.

- inquiry: InquiryAdmin, the list and the change page (columns, fieldsets, saving);
- filters, inlines, forms: its list filters, inlines and forms;
- actions: the bulk actions and the CSV export;
- views: the image, thumbnail, triage-button and audit-trail pages;
- audit, display: how audit entries, people and ages read;
- subject_requests: a person's data on request (find, export, erase) and the requests handled;
- spam: the inquiries held as suspected spam, to release or delete;
- replies: the reply templates, and the inquiry's "Reply by email" page.
"""

from django.contrib import admin

from intake.models import Inquiry, PurgeRun, ReplyTemplate, SubjectRequest, Subscriber, SuspectedSpam

from .inquiry import InquiryAdmin
from .replies import ReplyTemplateAdmin
from .spam import SuspectedSpamAdmin
from .subject_requests import SubjectRequestAdmin


class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "privacy_notice_version",
        "privacy_agreed_at",
    ]

    def has_add_permission(self, request):
        return False  # double opt-in only: an address subscribes itself


class PurgeRunAdmin(admin.ModelAdmin):
    """The retention purge's runs: when, and how many of each it removed (counts only)."""

    list_display = ["started_at", "finished_at", "counts"]
    readonly_fields = ["started_at", "finished_at", "counts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Inquiry, InquiryAdmin)
admin.site.register(Subscriber, SubscriberAdmin)
admin.site.register(SubjectRequest, SubjectRequestAdmin)
admin.site.register(PurgeRun, PurgeRunAdmin)
admin.site.register(SuspectedSpam, SuspectedSpamAdmin)
admin.site.register(ReplyTemplate, ReplyTemplateAdmin)

__all__ = [
    "InquiryAdmin",
    "PurgeRunAdmin",
    "ReplyTemplateAdmin",
    "SubjectRequestAdmin",
    "SubscriberAdmin",
    "SuspectedSpamAdmin",
]
