"""`make bench`'s M: a minimal Django project, one view rendering one template (page.html in
BENCH_TEMPLATE_DIR), compressed by Django's GZipMiddleware like the site's pages built per request."""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.gzip.GZipMiddleware"],
    TEMPLATES=[
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [os.environ["BENCH_TEMPLATE_DIR"]]}
    ],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


def page(request):
    return render(request, "page.html", {"title": "A minimal page", "path": request.path})


urlpatterns = [path("", page)]
application = get_wsgi_application()
