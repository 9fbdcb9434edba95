"""A browser for tests that talk HTTP to a server they started (gunicorn, the live server): cookies
kept, redirects not followed, every answer's status recorded."""

import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar, DefaultCookiePolicy


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _LoopbackPolicy(DefaultCookiePolicy):
    """As a browser does for a loopback address: Secure cookies go over plain HTTP too."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    """Give it a 127.0.0.1 address: the cookie jar keeps no cookie for "localhost"."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar(_LoopbackPolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except OSError:  # nothing listening (yet)
            return 0, ""

    def csrf(self) -> str:
        """The CSRF cookie's value ("csrftoken", or "__Host-csrftoken" with SECURE_COOKIES)."""
        return next(c.value for c in self.cookies if c.name.endswith("csrftoken"))
