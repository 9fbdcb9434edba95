"""A crawler from the home page over every internal link (bounded): no page fails, every page has
one h1, a title and a language, loads nothing from another host and has no inline code."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command

from tests.clinic.test_security import inline_code

pytestmark = pytest.mark.django_db

MAX_PAGES = 300
ORIGIN = "http://testserver"
# Attributes that make a browser fetch something, by element.
LOADS = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "frame": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "input": ["src"],
}
LOADING_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.loads: list[str] = []
        self.h1 = 0
        self.title = ""
        self.lang = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and LOADING_LINK_RELS.intersection((attrs.get("rel") or "").lower().split()):
            self.loads.append(attrs.get("href") or "")
        for name in LOADS.get(tag, []):
            value = attrs.get(name)
            if value:
                if name == "srcset":
                    self.loads += [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
                else:
                    self.loads.append(value)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def same_origin(url: str, base: str) -> bool:
    parts = urlsplit(urljoin(base, url))
    if parts.scheme == "data":
        return True
    return f"{parts.scheme}://{parts.netloc}" == ORIGIN


def crawlable(url: str) -> bool:
    path = urlsplit(url).path
    # Admin is staff-only; sign-in forms and the captcha image are not pages.
    return not path.startswith(("/admin/", "/captcha/"))


def test_every_page_reachable_from_home_is_sound(client):
    call_command("load_content", verbosity=0)
    seen = {"/"}
    queue = deque(["/"])
    problems = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        fetched += 1
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{path}: {response.status_code}")
            continue
        if response.status_code in (301, 302):
            target = urljoin(ORIGIN + path, response["Location"])
            if same_origin(target, ORIGIN) and crawlable(target):
                relative = urlsplit(target)._replace(scheme="", netloc="").geturl()
                if relative not in seen:
                    seen.add(relative)
                    queue.append(relative)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = Page()
        page.feed(html)
        if page.h1 != 1:
            problems.append(f"{path}: {page.h1} h1 elements")
        if not page.title.strip():
            problems.append(f"{path}: no title")
        if not page.lang:
            problems.append(f"{path}: no lang on <html>")
        foreign = [url for url in page.loads if not same_origin(url, ORIGIN + path)]
        if foreign:
            problems.append(f"{path}: loads from another host: {foreign}")
        inline = inline_code(html)
        if inline:
            problems.append(f"{path}: inline code {inline[:3]}")
        for href in page.links:
            url, _ = urldefrag(urljoin(ORIGIN + path, href))
            if not url.startswith(ORIGIN) or not crawlable(url):
                continue  # mailto:, tel:, other sites (links, not loads), admin
            relative = url[len(ORIGIN) :] or "/"
            if relative not in seen:
                seen.add(relative)
                queue.append(relative)
    assert problems == []
    # The crawl reached the whole site, not just the frame.
    visited = seen - set(queue)
    for expected in ["/articles/", "/case-studies/", "/treatments/", "/candidate/", "/ask/", "/newsletter/"]:
        assert expected in visited
    assert fetched > 20
