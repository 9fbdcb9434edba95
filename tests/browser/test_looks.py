"""How the site looks: screenshots on a phone (375 px) and a desktop (1280 px) for docs/screenshots/,
no sideways scrolling on a phone, and an article's print version without navigation or forms."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.pages import ARTICLE_SLUGS, CASE_SLUGS

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "home": "/",
    "article": f"/articles/{ARTICLE_SLUGS[0]}/",
    "case-history": f"/case-studies/{CASE_SLUGS[0]}/",
    "candidacy-form": "/candidate/",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_key_pages_fit_the_screen_and_are_captured(browser, site, viewport):
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    for name, path in PAGES.items():
        page.goto(site + path)
        page.wait_for_load_state("load")  # images and the stylesheet are in
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways at {viewport['width']} px ({width} px wide)"
        # The proof-of-work widget shows its progress: masked, so that a rerun leaves the committed
        # screenshots byte for byte the same.
        shot = screenshot(page, f"{name}-{viewport['width']}", mask=[page.locator(".intake-altcha")])
        assert shot.stat().st_size > 10_000
    context.close()


def test_the_desktop_navigation_stays_on_one_line_from_the_narrowest_to_a_wide_screen(page, site):
    page.goto(site + "/")
    for width in (992, 1100, 1200, 1280, 1400):
        page.set_viewport_size({"width": width, "height": 800})
        links = page.locator("#site-nav a")
        heights = links.evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
        tops = set(links.evaluate_all("links => links.map(a => Math.round(a.getBoundingClientRect().top / 10))"))
        assert max(heights) < 48 and len(tops) <= 2, f"at {width} px a navigation item wraps: {heights}"


def test_an_article_prints_without_navigation_or_forms(page, site):
    page.goto(site + PAGES["article"])
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".article-body")).to_be_visible()
    expect(page.get_by_role("heading", name="References")).to_be_visible()
    expect(page.locator(".site-footer .disclaimer")).to_be_visible()
    for selector in (
        "nav",
        "form",
        "button",
        ".btn",
        "input",
        ".site-header",
        ".cta-band",
        ".article-toc",
        ".backlink",
    ):
        shown = [
            element.evaluate("e => e.outerHTML.slice(0, 80)")
            for element in page.locator(selector).all()
            if element.is_visible()
        ]
        assert shown == [], f"{selector} printed: {shown}"
    # A link's address is spelled out on paper.
    link = page.locator(".article-body a[href^='http']").first
    if link.count():
        assert "(" in link.evaluate("e => getComputedStyle(e, '::after').content")
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF")
