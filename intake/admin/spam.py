"""Suspected spam: inquiries a soft spam check held back (intake.spam), listed apart from the
triage list. Staff who may change inquiries release one (it is handed over as usual: it joins the
new inquiries and its emails are sent) or delete it; the rest are purged after
INTAKE_SUSPECTED_SPAM_DAYS (purge_inquiries)."""

from django.contrib import admin, messages

from intake import services
from intake.services.suspected_spam import release_inquiry


class SuspectedSpamAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "submitted_at", "name", "email", "reasons"]
    list_filter = ["kind"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    fields = ["reference", "kind", "submitted_at", "first_name", "last_name", "email", "phone", "message", "reasons"]
    readonly_fields = fields
    actions = ["release", "delete_as_spam"]

    def get_queryset(self, request):
        return super().get_queryset(request)  # SuspectedSpam.objects: the held ones only

    # Triage staff work here with their rights on inquiries.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("intake.change_inquiry")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("intake.change_inquiry")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # through the "Delete as spam" action, which records who did it

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The page shows the message (health details): recorded like a view of the inquiry's page.
        if obj is not None and change and request.method == "GET":
            services.record_event(inquiry=obj, by=request.user, event=services.EVENT_VIEWED)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="why it was held")
    def reasons(self, obj):
        return "; ".join(obj.spam_reasons)

    @admin.action(description="Release: hand over to staff as a new inquiry", permissions=["change"])
    def release(self, request, queryset):
        released = sum(release_inquiry(inquiry=inquiry, by=request.user) for inquiry in queryset)
        self.message_user(request, f"Released {released} inquiry(ies): they are now in the inquiry list as new.")

    @admin.action(description="Delete as spam", permissions=["change"])
    def delete_as_spam(self, request, queryset):
        count = 0
        for inquiry in queryset:
            services.delete_inquiry(inquiry=inquiry, by=request.user)
            count += 1
        self.message_user(request, f"Deleted {count} inquiry(ies) as spam.", messages.SUCCESS)
