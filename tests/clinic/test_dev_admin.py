"""`make run`'s ensure_dev_admin tells the truth about the admin password."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(settings, tmp_path) -> str:
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("ensure_dev_admin", stdout=out)
    return out.getvalue()


def test_prints_the_password_it_set_and_not_one_changed_since(settings, tmp_path):
    first = run(settings, tmp_path)
    password = (tmp_path / "dev-admin-password").read_text().strip()
    assert f"password: {password}" in first
    assert get_user_model().objects.get(username="admin").check_password(password)

    assert f"password: {password}" in run(settings, tmp_path), "unchanged: printed again"

    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-new-password-of-my-own")
    admin.save()
    after = run(settings, tmp_path)
    assert password not in after
    assert "password: the one you set" in after and "changepassword admin" in after
    assert get_user_model().objects.get(username="admin").check_password("a-new-password-of-my-own")
