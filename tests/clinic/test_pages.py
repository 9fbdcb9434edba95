import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    call_command("load_content", verbosity=0)


def test_home_page_leads_to_the_candidacy_form(client, offices):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/candidate/"' in html
    assert "<h1" in html and 'lang="en"' in html


@pytest.mark.parametrize("path", ["/", "/contact/", "/privacy/", "/accessibility/"])
def test_every_page_has_the_frame(client, offices, path):
    html = client.get(path).content.decode()
    # Navigation
    for label in ["Treatments", "Articles", "Case studies", "Find out if you are a good candidate", "Ask our staff"]:
        assert label in html
    # Both offices, from the database
    for text in [
        "Caring Medical Florida",
        "9738 Commerce Center Ct.",
        "Fort Myers, FL 33908",
        "(239) 308-4701",
        "Chicagoland Office",
        "715 Lake St., Suite 600",
        "Oak Park, IL 60301",
        "(708) 393-8266",
        "(855) 779-1950",
    ]:
        assert text in html
    assert (
        "We are an out-of-network provider. Treatments discussed on this site may or may not work for your "
        "specific condition."
    ) in html
    # Accessibility landmarks and skip link
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and 'aria-label="Main"' in html


def test_offices_are_data_an_editor_can_change(client, offices):
    from clinic.models import Office

    Office.objects.filter(slug="oak-park").update(phone="(708) 555-0100")
    html = client.get("/contact/").content.decode()
    assert "(708) 555-0100" in html


def test_contact_page_has_medical_clinic_json_ld(client, offices):
    html = client.get("/contact/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    clinics = data["@graph"]
    assert {c["@type"] for c in clinics} == {"MedicalClinic"}
    assert {c["address"]["postalCode"] for c in clinics} == {"33908", "60301"}
    assert "Opening hours" in html


def test_unknown_page_gets_the_branded_404(client, offices):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "Caring Medical Florida" in response.content.decode()


@pytest.mark.urls("tests.clinic.boom_urls")
def test_server_error_gets_the_branded_500(offices):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "(239) 308-4701" in response.content.decode()


def test_robots_txt_points_to_the_sitemap_and_keeps_admin_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_the_static_pages(client):
    from xml.etree import ElementTree

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locs = {
        el.text
        for el in ElementTree.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    }
    assert {"http://testserver/", "http://testserver/contact/", "http://testserver/privacy/"} <= locs


def test_stylesheet_has_a_print_style_that_drops_navigation():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/site.css")).read_text()
    assert "@media print" in css and ".site-header" in css and "attr(href)" in css
    assert finders.find("vendor/bootstrap/css/bootstrap.min.css"), "Bootstrap comes from npm (run npm ci)"


def test_no_page_loads_anything_from_another_host(client, offices):
    for path in ["/", "/contact/", "/privacy/", "/no-such-page/"]:
        html = client.get(path).content.decode()
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html), path


def test_the_accessibility_statement_says_what_the_site_meets_and_how_to_ask(client, offices):
    html = client.get("/accessibility/").content.decode()
    assert "<h1>Accessibility statement</h1>" in html
    assert "WCAG" in html and "another format" in html and 'href="tel:+12393084701"' in html
    assert 'href="/accessibility/"' in client.get("/privacy/").content.decode()  # the footer links it
