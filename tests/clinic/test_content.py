import pytest
from django.core.management import call_command

from clinic.models import Office

pytestmark = pytest.mark.django_db


def load(*args):
    from io import StringIO

    out = StringIO()
    call_command("load_content", *args, stdout=out)
    return out.getvalue()


def test_loading_twice_gives_the_same_rows():
    load()
    first = list(Office.objects.values())
    output = load()
    assert list(Office.objects.values()) == first
    assert "0 created, 0 updated" in output


def test_a_changed_file_updates_the_row(tmp_path, settings):
    import shutil

    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    load("--content-dir", str(tmp_path / "content"))
    offices = tmp_path / "content" / "offices.yaml"
    offices.write_text(offices.read_text().replace("(239) 308-4701", "(239) 308-0000"))
    output = load("--content-dir", str(tmp_path / "content"))
    assert Office.objects.get(slug="fort-myers").phone == "(239) 308-0000"
    assert "updated office fort-myers" in output


def test_an_editors_change_is_not_overwritten_and_is_reported(tmp_path, settings):
    import shutil

    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    load("--content-dir", str(tmp_path / "content"))
    Office.objects.filter(slug="oak-park").update(opening_hours="Mon–Fri 9 am–5 pm")
    offices = tmp_path / "content" / "offices.yaml"
    offices.write_text(offices.read_text().replace("715 Lake St., Suite 600", "715 Lake St., Suite 601"))
    output = load("--content-dir", str(tmp_path / "content"))
    office = Office.objects.get(slug="oak-park")
    assert office.opening_hours == "Mon–Fri 9 am–5 pm" and office.street == "715 Lake St., Suite 600"
    assert "skipped office oak-park" in output

    load("--content-dir", str(tmp_path / "content"), "--force")
    assert Office.objects.get(slug="oak-park").street == "715 Lake St., Suite 601"
