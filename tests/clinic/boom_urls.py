"""The site's URLs plus one view that fails, to see the 500 page a patient would get."""

from django.urls import path

from clinic.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
