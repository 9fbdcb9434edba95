"""Permissions-Policy on every response: pages, static files, errors, redirects and admin."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def content(db):
    call_command("load_content", verbosity=0)


@pytest.mark.parametrize("path", ["/", "/candidate/", "/no-such-page/", "/admin/", "/healthz", "/robots.txt"])
def test_every_response_refuses_camera_microphone_and_location(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy.split(", ")
