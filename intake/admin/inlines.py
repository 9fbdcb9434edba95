"""The change page's inline: the hand-off emails (read-only). Notes and contact attempts are shown
as lists on the triage side and added through the page's own fields (forms.InquiryTriageForm)."""

from django.contrib import admin

from intake.models import OutboxMessage


class OutboxMessageInline(admin.TabularInline):
    model = OutboxMessage
    fields = ["kind", "status", "attempts", "last_attempt_at", "last_error", "sent_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "email"
    verbose_name_plural = "Hand-off to staff and patient (emails)"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("subject", "body")  # states only, nothing decrypted

    def has_add_permission(self, request, obj=None):
        return False
