"""Serving public uploads (article hero images, author photos) from MEDIA_ROOT.

The production-like stack has no nginx in front of gunicorn, and whitenoise only knows the files
present when it starts, so the site serves MEDIA_ROOT itself: images only, by extension, inside
MEDIA_ROOT only (patients' uploads live in PRIVATE_MEDIA_ROOT and are never reachable here), with
caching headers. Renditions are named by a hash of their source, so browsers may keep them a year.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

PUBLIC_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
IMMUTABLE_DIR = "renditions/"
YEAR = 365 * 24 * 3600
DAY = 24 * 3600


@require_safe
def serve_public_media(request, path: str):
    suffix = Path(path).suffix.lower()
    if suffix not in PUBLIC_TYPES:
        raise Http404("Not a public image")
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except (SuspiciousFileOperation, ValueError) as exc:
        raise Http404("Not a public image") from exc
    try:
        stat = full_path.stat()
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        raise Http404("No such image") from exc
    if not full_path.is_file():
        raise Http404("No such image")
    cache_control = f"public, max-age={YEAR}, immutable" if path.startswith(IMMUTABLE_DIR) else f"public, max-age={DAY}"
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(full_path.open("rb"), content_type=PUBLIC_TYPES[suffix])
        response["Content-Length"] = str(stat.st_size)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = cache_control
    return response
