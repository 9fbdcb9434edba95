"""One canonical-URL helper: every page names its address from SITE_URL, whatever Host it was asked by."""

import pytest

from clinic import site
from tests.articles.factories import make_article


def test_absolute_url_prefixes_site_url(settings):
    settings.SITE_URL = "https://clinic.example"
    assert site.absolute_url("/articles/") == "https://clinic.example/articles/"


@pytest.mark.django_db
def test_canonical_links_come_from_site_url_not_the_host_header(client, settings):
    settings.SITE_URL = "https://clinic.example"
    settings.ALLOWED_HOSTS = ["*"]
    make_article(slug="knee-basics")
    for path in ("/treatments/", "/articles/", "/articles/knee-basics/"):
        html = client.get(path, HTTP_HOST="elsewhere.example").content.decode()
        assert f'<link rel="canonical" href="https://clinic.example{path}">' in html, path
