from django.contrib import admin

from .models import Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "city", "phone", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
