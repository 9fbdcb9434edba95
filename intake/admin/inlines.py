"""The change page's inlines: the notes (append-only) and the hand-off emails (read-only)."""

from django.contrib import admin

from intake.models import Note, OutboxMessage

from .display import user_label
from .forms import NoteForm


class OutboxMessageInline(admin.TabularInline):
    model = OutboxMessage
    fields = ["kind", "status", "attempts", "last_attempt_at", "last_error", "sent_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "email"
    verbose_name_plural = "Hand-off to staff and patient (emails)"

    def has_add_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    """Notes, oldest first, with a blank one to add. Append-only: saved notes are shown read-only
    to everyone (superusers too) and none can be deleted; services.add_note writes new ones."""

    model = Note
    form = NoteForm
    fields = ["created_at", "author_name", "text"]
    readonly_fields = ["created_at", "author_name"]
    extra = 1
    can_delete = False
    verbose_name = "note"
    verbose_name_plural = "Notes (staff only; a saved note cannot be changed)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="by")
    def author_name(self, note):
        if note.pk is None:
            return "you"
        return user_label(note.author) if note.author_id else "former staff"
