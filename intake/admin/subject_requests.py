"""A person's data on request, in the admin: find, export (zip) and erase, for staff with
intake.handle_subject_requests; the list of requests handled (counts only). The work is done by
intake.services.subject_requests."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from intake.services import subject_requests as service

from .display import user_label

PERMISSION = "intake.handle_subject_requests"


class SubjectRequestAdmin(admin.ModelAdmin):
    list_display = ["handled_at", "action", "handled_by_name", "counts_display", "references_display"]
    list_filter = ["action"]
    date_hierarchy = "handled_at"
    fields = ["action", "handled_at", "handled_by_name", "counts_display", "references_display", "identifier_digest"]
    readonly_fields = fields
    list_select_related = ["handled_by"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False  # a request is recorded by exporting or erasing, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="by")
    def handled_by_name(self, obj):
        return user_label(obj.handled_by) if obj.handled_by_id else "former staff"

    @admin.display(description="records")
    def counts_display(self, obj):
        return ", ".join(_lines(obj.counts)) or "-"

    @admin.display(description="references")
    def references_display(self, obj):
        return ", ".join(obj.references) or "-"

    def get_urls(self):
        def view(fn):
            return self.admin_site.admin_view(fn)

        return [
            path("find/", view(self.find_view), name="intake_subjectrequest_find"),
            path("export/", view(require_POST(self.export_view)), name="intake_subjectrequest_export"),
            path("erase/", view(require_POST(self.erase_view)), name="intake_subjectrequest_erase"),
            *super().get_urls(),
        ]

    def _records(self, request, identifier: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return service.find_person(identifier)
        except service.NotAnIdentifier as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None

    def _page(self, request, template: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "A person's data",
            **context,
        }
        return TemplateResponse(request, f"admin/intake/subjectrequest/{template}", context)

    def find_view(self, request):
        """Search by email or phone; list every record found, with the export and erase buttons.
        The search is POSTed, so no address or number lands in access logs or browser history."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        identifier = request.POST.get("q", "").strip()
        records = self._records(request, identifier) if identifier else None
        earlier = list(service.earlier_requests(records)) if records else []
        return self._page(request, "find.html", q=identifier, records=records, earlier=earlier)

    def export_view(self, request):
        """The person's copy: one zip (data.json and the pictures), recorded as a request."""
        records = self._records(request, request.POST.get("q", ""))
        if records is None or records.is_empty():
            return HttpResponseRedirect(reverse("admin:intake_subjectrequest_find"))
        archive = service.export_person(records, by=request.user)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = FileResponse(archive, as_attachment=True, filename=f"personal-data-{stamp}.zip")
        response["Cache-Control"] = "private, no-store"
        return response

    def erase_view(self, request):
        """Erase after a confirmation page that lists what goes."""
        identifier = request.POST.get("q", "")
        records = self._records(request, identifier)
        if records is None or records.is_empty():
            return HttpResponseRedirect(reverse("admin:intake_subjectrequest_find"))
        if request.POST.get("confirm") != "yes":
            return self._page(
                request, "confirm_erase.html", q=identifier, records=records, counts=_lines(records.counts())
            )
        done = service.erase_person(records, by=request.user)
        counts = ", ".join(_lines(done.counts))
        self.message_user(request, f"Erased: {counts}. The erasure is recorded without their details.")
        return HttpResponseRedirect(reverse("admin:intake_subjectrequest_changelist"))


def _lines(counts: dict) -> list[str]:
    """{"audit_entries": 3} as ["3 audit entries"]."""
    return [f"{count} {name.replace('_', ' ')}" for name, count in counts.items()]
