import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from clinic.bodylimit import BodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

# The body limit runs before Django reads a byte of the request (clinic/bodylimit.py).
application = BodyLimit(get_wsgi_application(), settings.MAX_REQUEST_BODY)
