"""Issue 15 in the browser: DOIs wrap on a 320 px screen, print spells out absolute addresses, the
figures' tables scroll by keyboard, chart text is readable on a phone, the header search works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.pages import ARTICLE_SLUGS, CASE_SLUGS

pytestmark = pytest.mark.django_db(transaction=True)

STEM_CELL_ARTICLE = f"/articles/{ARTICLE_SLUGS[1]}/"


def test_dois_and_references_wrap_on_a_320_px_screen(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site + STEM_CELL_ARTICLE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for link in page.locator(".references a[href^='https://doi.org/']").all():
        box = link.bounding_box()
        assert box["x"] + box["width"] <= 320, link.inner_text()
    context.close()


def test_print_spells_out_absolute_addresses(page, site):
    page.goto(site + STEM_CELL_ARTICLE)
    page.emulate_media(media="print")
    link = page.locator(".article-body a[href^='/ask/']").first
    after = link.evaluate("e => getComputedStyle(e, '::after').content")
    assert f"({site}/ask/?article=" in after
    # And the editor's notes print, visibly apart.
    expect(page.locator(".article-body .editor-note").first).to_be_visible()


def test_the_figures_tables_scroll_by_keyboard_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site + f"/case-studies/{CASE_SLUGS[2]}/")
    region = page.get_by_role("region", name=re.compile("Right knee: the figures in the chart"))
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    overflow = region.evaluate("e => e.scrollWidth - e.clientWidth")
    if overflow > 0:
        page.keyboard.press("ArrowRight")
        page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    context.close()


def test_chart_text_is_at_least_13_px_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(site + f"/case-studies/{CASE_SLUGS[0]}/")
    sizes = page.locator("svg.pain-chart").first.evaluate(
        "svg => { const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
        " return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale); }"
    )
    assert sizes and min(sizes) >= 13, min(sizes)
    context.close()


def test_a_patient_searches_from_the_header_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site + "/case-studies/")
    box = page.get_by_role("searchbox", name="Search the site")
    expect(box).to_be_visible()  # not hidden in the collapsed menu
    box.fill("prolotheraphy")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the site")
    expect(page.get_by_text("Showing results for")).to_be_visible()
    expect(page.locator(".search-results h2 a").first).to_have_attribute("href", "/treatments/dextrose-prolotherapy/")
    context.close()
