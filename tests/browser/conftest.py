"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

The live server runs in a thread of the test process on 127.0.0.1; Chromium is started with the
flags that keep it from reaching out to the network.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from PIL import Image

from tests.conftest import ROOT

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# there are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "docs" / "screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def site(live_server, settings):
    """The live server's address, with the clinic's content loaded; emails link to it."""
    call_command("load_content", verbosity=0)
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def fast_forms(settings):
    """A test fills the forms faster than a person, and sends more of them than one person would:
    lift the minimum fill time and the per-IP limit for it (their own tests are in tests/intake)."""
    settings.INTAKE_MIN_FILL_SECONDS = 0
    settings.INTAKE_RATE_LIMIT = "1000/h"
    cache.clear()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (from npm) in the page and return the violations of the given impacts."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page, name: str, *, mask=()) -> Path:
    """A full-page PNG in SCREENSHOTS, its colours reduced to a palette (smaller files, no visible
    change for a page's flat colours). `mask` paints over what differs on every run (the captcha's
    letters), so rerunning the suite leaves the committed files unchanged."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    png = page.screenshot(full_page=True, mask=list(mask), mask_color="#6c757d", animations="disabled")
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
    return path
