"""The inquiry admin's own pages: the image (download), its thumbnail and the whole audit trail
(the triage buttons are part of the change form: forms.InquiryTriageForm). Each checks the staff
member's permission and records what was seen."""

import io
import mimetypes
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from PIL import Image, UnidentifiedImageError

from intake import services
from intake.models import Inquiry

from .audit import audit_rows

THUMBNAIL_SIZE = (480, 480)


class InquiryViews:
    """Mixed into InquiryAdmin: its extra URLs and their views."""

    def get_urls(self):
        def view(fn):
            return self.admin_site.admin_view(fn)

        return [
            path("<int:pk>/image/", view(self.image_view), name="intake_inquiry_image"),
            path("<int:pk>/image/thumbnail/", view(self.thumbnail_view), name="intake_inquiry_thumbnail"),
            path("<int:pk>/audit/", view(self.audit_view), name="intake_inquiry_audit"),
            path("reports/", view(self.reports_view), name="intake_inquiry_reports"),
            *super().get_urls(),
        ]

    def _inquiry_for(self, request, pk, *, change=False) -> Inquiry:
        inquiry = get_object_or_404(Inquiry.objects.select_related("assignee"), pk=pk)
        allowed = self.has_change_permission(request, inquiry) if change else self.has_view_permission(request, inquiry)
        if not allowed:
            raise PermissionDenied
        return inquiry

    def _open_image(self, inquiry: Inquiry):
        if not inquiry.image:
            raise Http404("No image")
        try:
            return inquiry.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The image file is missing") from exc

    def image_view(self, request, pk):
        """The patient's image, to staff allowed to view the inquiry; always as a download, and
        recorded in the audit trail."""
        inquiry = self._inquiry_for(request, pk)
        handle = self._open_image(inquiry)
        services.record_event(inquiry=inquiry, by=request.user, event=services.EVENT_IMAGE_VIEWED)
        suffix = PurePosixPath(inquiry.image.name).suffix
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{inquiry.reference}{suffix}",
            content_type=mimetypes.guess_type(inquiry.image.name)[0] or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def thumbnail_view(self, request, pk):
        """A small JPEG of the patient's image for the change page, made on each request (nothing
        more is stored) and recorded in the audit trail."""
        inquiry = self._inquiry_for(request, pk)
        with self._open_image(inquiry) as handle:
            try:
                with Image.open(handle) as image:
                    image.draft("RGB", THUMBNAIL_SIZE)  # JPEGs decode at a fraction of full size
                    image.thumbnail(THUMBNAIL_SIZE)
                    buffer = io.BytesIO()
                    image.convert("RGB").save(buffer, "JPEG", quality=85)
            except (UnidentifiedImageError, OSError) as exc:
                raise Http404("The image cannot be read") from exc
        services.record_event(inquiry=inquiry, by=request.user, event=services.EVENT_THUMBNAIL_VIEWED)
        response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def audit_view(self, request, pk):
        """The inquiry's whole audit trail, newest first, 50 a page."""
        inquiry = self._inquiry_for(request, pk)
        page = Paginator(services.audit_trail(inquiry=inquiry), 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit trail of {inquiry.reference}",
            "opts": self.model._meta,
            "original": inquiry,
            "page": page,
            "audit_rows": audit_rows(page.object_list),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/intake/inquiry/audit_trail.html", context)
