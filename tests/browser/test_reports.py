"""The reports page (issue 19) in Chromium, as a nurse of the Triage group sees it: twelve weeks of
inquiries, every chart beside its table, axe finds nothing serious, and the screenshot
docs/screenshots/reports.png (reports-375.png on a phone)."""

import importlib
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import expect

from articles.models import Article
from clinic.models import Office
from intake.models import ContactAttempt, Inquiry
from tests.browser.conftest import PHONE, axe_violations, screenshot
from tests.browser.pages import submit_and_wait
from tests.intake.conftest import make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-for-reports"
# Twelve fixed weeks, so the screenshot is the same on every run.
RANGE = "?start=2026-09-07&end=2026-11-29"
FIRST_MONDAY = datetime(2026, 9, 7, 9, 0)


def nurse() -> User:
    """A Triage nurse, the group's permissions taken from the one list (the transactional flush
    removes the group the migrations made)."""
    codenames = importlib.import_module("intake.migrations.0009_reports").TRIAGE_PERMISSIONS
    group, _ = Group.objects.get_or_create(name="Triage")
    group.permissions.set(Permission.objects.filter(content_type__app_label="intake", codename__in=codenames))
    user = User.objects.create_user(
        "maria", email="maria@example.com", password=PASSWORD, is_staff=True, first_name="Maria", last_name="Lopez"
    )
    user.groups.add(group)
    return user


def seed(staff: list[User]) -> None:
    """About 150 inquiries over the twelve weeks, a made-up but plausible mix."""
    from django.utils import timezone

    offices = [*Office.objects.order_by("order"), None]
    articles = [*Article.objects.filter(treatments__isnull=False).distinct().order_by("slug")[:3], None, None]
    statuses = ["new", "in_review", "contacted", "contacted", "scheduled", "scheduled", "not_a_candidate", "closed"]
    zone = timezone.get_current_timezone()
    n = 0
    for week in range(12):
        for i in range(8 + (week * 5) % 9):
            n += 1
            submitted = (FIRST_MONDAY + timedelta(weeks=week, days=i % 7, hours=(i * 3) % 9)).replace(tzinfo=zone)
            kind = ["candidate", "question", "appointment", "candidate"][n % 4]
            made = make_inquiry(
                kind=kind,
                office=offices[n % len(offices)],
                article=articles[n % len(articles)] if kind == "question" else None,
                suggested_type=[1, 2, 3, None][(n // 4) % 4] if kind == "candidate" else None,
                status=statuses[n % len(statuses)],
            )
            Inquiry.objects.filter(pk=made.pk).update(submitted_at=submitted)
            if made.status != "new" or n % 3 == 0:
                hours = 1 + (n * 7) % 30 + week % 4
                by = staff[n % len(staff)] if n % 11 else None  # now and then a former colleague
                outcome = "reached" if made.status in ("contacted", "scheduled") or n % 2 else "voicemail"
                ContactAttempt.objects.create(
                    inquiry=made, channel="phone", outcome=outcome, by=by, at=submitted + timedelta(hours=hours)
                )


def test_the_reports_page_reads_well_and_passes_axe(browser, site):
    user = nurse()
    colleagues = [
        User.objects.create_user(name.lower(), is_staff=True, first_name=name, last_name=last)
        for name, last in [("Nora", "Reyes"), ("Sam", "Okafor")]
    ]
    seed([user, *colleagues])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(site + "/admin/login/")
        page.get_by_label("Username").fill("maria")
        page.get_by_label("Password").fill(PASSWORD)
        submit_and_wait(page, "Log in")
        page.get_by_role("link", name="Inquiry reports").click()
        expect(page.get_by_role("heading", name="Weeks to report on")).to_be_visible()
        page.goto(site + "/admin/intake/inquiry/reports/" + RANGE)
        expect(page.locator(".reports-summary")).to_contain_text("in 12 weeks")
        charts = page.get_by_role("img")
        assert page.locator("figure.report-chart svg").count() == 7
        expect(charts.filter(has_text="Inquiries a week, by kind").first).to_be_visible()
        # A week a column: the table under its chart at the page's width, no horizontal scroll.
        weekly = page.locator("#by-kind")
        chart, table = weekly.locator(".report-chart").bounding_box(), weekly.locator(".report-table").bounding_box()
        assert table["y"] >= chart["y"] + chart["height"] - 1 and table["width"] > chart["width"]
        assert weekly.locator(".report-table").evaluate("el => el.scrollWidth <= el.clientWidth")
        # A few columns: the table beside its chart.
        staff = page.locator("#first-contact-by-staff")
        chart, table = staff.locator(".report-chart").bounding_box(), staff.locator(".report-table").bounding_box()
        assert table["x"] >= chart["x"] + chart["width"] - 1 and table["y"] < chart["y"] + chart["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert axe_violations(page) == []
        screenshot(page, "reports")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download “Inquiries a week, by kind” as CSV").click()
        assert download.value.suggested_filename == "inquiries-by-kind-2026-09-07-to-2026-11-29.csv"
        # On a phone: the page itself never scrolls sideways; every chart fits the screen, and a
        # table too wide for it scrolls inside its own box.
        page.set_viewport_size(PHONE)
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for box in page.locator("figure.report-chart svg").evaluate_all(
            "svgs => svgs.map(svg => svg.getBoundingClientRect().toJSON())"
        ):
            assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
        expect(page.locator("#by-kind .report-table")).to_be_visible()
        screenshot(page, "reports-375")
    finally:
        context.close()
