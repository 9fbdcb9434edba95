from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ClosedDay, Office, OpeningHours
from .staff import make_enrolment_link


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    max_num = 7


# Saving or deleting an office, its hours or a closed day retires the cached pages (clinic.apps:
# pagecache.retire_on_writes) and, after commit, rebuilds the search index (articles.apps:
# pagecache.after_content_commit); new inquiries' due times follow the hours (intake.apps).
@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "city", "phone", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "where", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"
    list_select_related = ["office"]

    @admin.display(description="office", ordering="office__order")
    def where(self, obj):
        return obj.office.label if obj.office_id else "All offices"


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
