from django.contrib import admin
from django.db import transaction

from . import pagecache
from .models import Office


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
