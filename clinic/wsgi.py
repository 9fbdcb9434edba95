import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from clinic.bodylimit import BodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

django_application = get_wsgi_application()

# Pages answered from the page cache are answered again before Django's request handling; the body
# limit runs before either reads a byte of the request (clinic/bodylimit.py).
from .pagefront import PageFront  # noqa: E402  (after the settings are set up)

application = BodyLimit(PageFront(django_application), settings.MAX_REQUEST_BODY)
