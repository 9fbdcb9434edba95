"""The site's frame in a real browser: keyboard access, accessibility, phone layout and print."""

import pytest

from tests.browser.conftest import PHONE, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, site):
    page.goto(site + "/contact/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible(), "the skip link shows when focused"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused element has a visible focus indicator"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("path", ["/", "/contact/", "/privacy/", "/no-such-page/"])
def test_frame_pages_have_no_serious_accessibility_violations(page, site, path):
    page.goto(site + path)
    assert axe_violations(page) == []


def test_on_a_phone_the_navigation_folds_into_a_menu_button(browser, site):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    page.goto(site + "/")
    nav_link = page.locator("#site-nav").get_by_role("link", name="Case studies")
    assert not nav_link.is_visible()
    page.get_by_role("button", name="Show navigation").click()
    nav_link.wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    ctx.close()


def test_print_media_drops_navigation_and_spells_out_links(page, site):
    page.goto(site + "/privacy/")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("main h1").is_visible()
