from django.contrib import admin

from . import pagecache
from .models import Office


class PublicContentAdmin(admin.ModelAdmin):
    """Admin for what the public pages show: every save or delete retires the cached pages."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pagecache.content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.content_changed()


@admin.register(Office)
class OfficeAdmin(PublicContentAdmin):
    list_display = ["name", "label", "city", "phone", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
