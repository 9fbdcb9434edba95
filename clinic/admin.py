from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Office
from .staff import make_enrolment_link


# Saving or deleting an office retires the cached pages (clinic.apps: pagecache.retire_on_writes)
# and, after commit, rebuilds the search index (articles.apps: pagecache.after_content_commit).
@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "city", "phone", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["make_enrolment_links"]

    @admin.action(description="Make two-step enrolment links", permissions=["change"])
    def make_enrolment_links(self, request, queryset):
        """One-time links (clinic/staff.py) shown to the administrator, who sends each to its owner."""
        for user in queryset.filter(is_active=True, is_staff=True):
            link = make_enrolment_link(user)
            messages.info(
                request,
                f"Enrolment link for {user.get_username()} (works once, for "
                f"{settings.OTP_ENROLMENT_LINK_HOURS} hours; send it to them yourself): {link}",
            )
