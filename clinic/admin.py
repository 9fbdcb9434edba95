from django.contrib import admin

from .models import Office


# Saving or deleting an office retires the cached pages (clinic.apps: pagecache.retire_on_writes)
# and, after commit, rebuilds the search index (articles.apps: pagecache.after_content_commit).
@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "city", "phone", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
