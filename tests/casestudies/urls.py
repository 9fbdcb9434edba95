"""The site's URLs with stand-ins for the articles app's pages, which another branch provides.

Case pages link to articles and treatments; these stubs let those links reverse in tests.
"""

from django.http import HttpResponse
from django.urls import include, path

from clinic.urls import urlpatterns as site_patterns


def stub(request, slug):
    return HttpResponse(slug)


articles_stub = (
    [
        path("articles/<slug:slug>/", stub, name="detail"),
        path("treatments/<slug:slug>/", stub, name="treatment"),
    ],
    "articles",
)

urlpatterns = [path("", include(articles_stub))] + [
    p for p in site_patterns if getattr(p, "namespace", None) != "articles"
]
