from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from . import pagecache
from .models import Office
from .staff import make_enrolment_link


def _content_changed() -> None:
    from articles.search import rebuild_index

    pagecache.content_changed()
    # After commit: an admin's own save_related may still render the body the index reads.
    transaction.on_commit(rebuild_index)


class PublicContentAdmin(admin.ModelAdmin):
    """Admin for what the public pages show: every save or delete retires the cached pages and
    rebuilds the site search's index."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _content_changed()


@admin.register(Office)
class OfficeAdmin(PublicContentAdmin):
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
