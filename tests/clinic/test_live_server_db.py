"""Staff stay signed in while the live server's threads and the test's own thread use the database
at once: each has its own connection (tests/settings.py puts the SQLite test database in a file), as
under runserver and gunicorn. With Django's in-memory SQLite they shared one connection: this test
then failed every time ("database table is locked", a 503 on signing in), and in CI a browser test
found its nurse signed out after a button press (stop 21)."""

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest
from django.db import transaction

from intake.models import Inquiry
from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough test password"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class RolledBack(Exception):
    pass


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """As a browser does for a loopback address: the Secure cookies go over plain HTTP too."""

    def return_ok_secure(self, cookie, request):
        return True


def sign_in_and_open_the_list(base: str, username: str) -> str:
    """Sign in over HTTP, then open the inquiry list; returns the address the list answered from."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(LoopbackPolicy())))
    page = opener.open(f"{base}/admin/login/", timeout=20).read().decode()
    form = {"csrfmiddlewaretoken": TOKEN.search(page)[1], "username": username, "password": PASSWORD}
    opener.open(f"{base}/admin/login/?next=/admin/", urllib.parse.urlencode(form).encode(), timeout=20).read()
    with opener.open(f"{base}/admin/intake/inquiry/", timeout=20) as response:
        response.read()
        return response.geturl()


def test_sign_ins_hold_while_the_test_thread_rolls_back_its_own_writes(live_server):
    names = [f"nurse{n}" for n in range(3)]
    for name in names:
        user = make_staff(name, superuser=True)  # (an earlier flush may have taken the groups)
        user.set_password(PASSWORD)
        user.save()
    base = live_server.url.replace("localhost", "127.0.0.1")  # cookiejar keeps no cookie for "localhost"
    landed, errors = [], []

    def nurse(name):
        try:
            for _ in range(4):
                landed.append(sign_in_and_open_the_list(base, name))
        except Exception as exc:  # reported below with the rest
            errors.append(repr(exc))

    threads = [threading.Thread(target=nurse, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
        try:
            with transaction.atomic():
                make_inquiry()
                time.sleep(0.01)  # a transaction that stays open a moment, as a test's setup does
                raise RolledBack
        except RolledBack:
            time.sleep(0.02)  # and lets the others at the database between transactions
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(landed) == 12
    assert all(url.endswith("/admin/intake/inquiry/") for url in landed), landed
    assert not Inquiry.objects.exists(), "the test thread's writes were all rolled back"
