"""Staff stay signed in while the live server's threads and the test's own thread use the database
at once: each has its own connection (tests/settings.py puts the SQLite test database in a file), as
under runserver and gunicorn. With Django's in-memory SQLite they shared one connection: this test
then failed every time ("database table is locked", a 503 on signing in), and in CI a browser test
found its nurse signed out after a button press (stop 21)."""

import threading
import time

import pytest
from django.db import transaction

from intake.models import Inquiry
from tests.intake.conftest import make_inquiry, make_staff
from tests.webclient import Browser

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough test password"


class RolledBack(Exception):
    pass


def sign_in_and_open_the_list(base: str, username: str) -> int:
    """Sign in over HTTP, then open the inquiry list; its status (302 to the sign-in page if signed out)."""
    browser = Browser(base)
    browser.request("/admin/login/")
    form = {"csrfmiddlewaretoken": browser.csrf(), "username": username, "password": PASSWORD}
    browser.request("/admin/login/?next=/admin/", form)
    return browser.request("/admin/intake/inquiry/")[0]


def test_sign_ins_hold_while_the_test_thread_rolls_back_its_own_writes(live_server):
    names = [f"nurse{n}" for n in range(3)]
    for name in names:
        make_staff(name, superuser=True, password=PASSWORD)  # (an earlier flush may have taken the groups)
    base = live_server.url.replace("localhost", "127.0.0.1")
    landed, errors, rollbacks = [], [], 0

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
            rollbacks += 1
            time.sleep(0.02)  # and lets the others at the database between transactions
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert landed == [200] * 12
    assert rollbacks >= 10, "the test thread wrote and rolled back while the nurses signed in"
    assert not Inquiry.objects.exists(), "the test thread's writes were all rolled back"
