import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

# Pages answered from the page cache are answered again before Django's request handling.
from .pagefront import PageFront  # noqa: E402  (after the settings are set up)

application = PageFront(application)
