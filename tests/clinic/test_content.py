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


# --- Opening hours (issue 19) ---------------------------------------------------------------------


def hours_of(slug: str) -> list[tuple]:
    from clinic.models import OpeningHours

    return list(OpeningHours.objects.filter(office__slug=slug).values_list("weekday", "opens", "closes"))


def test_the_file_gives_each_office_its_hours_shown_on_the_contact_page(client):
    from datetime import time

    load()
    assert hours_of("fort-myers") == [(day, time(8, 30), time(17)) for day in range(5)]
    page = client.get("/contact/").content.decode()
    assert page.count("<li>Monday to Friday, 8:30 am to 5 pm</li>") == 2
    assert '"openingHours": ["Mo-Fr 08:30-17:00"]' in page


def test_changed_hours_in_the_file_update_the_rows(tmp_path, settings):
    import shutil
    from datetime import time

    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    load("--content-dir", str(tmp_path / "content"))
    offices = tmp_path / "content" / "offices.yaml"
    text = offices.read_text().replace(
        '    friday: "08:30-17:00"\n  time_zone: America/Chicago',
        '    saturday: "09:00-12:00"\n  time_zone: America/Chicago',
    )
    offices.write_text(text)
    output = load("--content-dir", str(tmp_path / "content"))
    assert "updated office oak-park" in output and "updated office fort-myers" not in output
    assert hours_of("oak-park") == [*((day, time(8, 30), time(17)) for day in range(4)), (5, time(9), time(12))]
    assert "0 created, 0 updated" in load("--content-dir", str(tmp_path / "content"))  # a rerun changes nothing


def test_hours_an_editor_changed_are_not_overwritten(tmp_path, settings):
    import shutil
    from datetime import time

    from clinic.models import OpeningHours

    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    load("--content-dir", str(tmp_path / "content"))
    OpeningHours.objects.filter(office__slug="oak-park", weekday=4).update(closes=time(13))
    offices = tmp_path / "content" / "offices.yaml"
    offices.write_text(offices.read_text().replace("715 Lake St., Suite 600", "715 Lake St., Suite 601"))
    output = load("--content-dir", str(tmp_path / "content"))
    assert "skipped office oak-park" in output
    assert (4, time(8, 30), time(13)) in hours_of("oak-park")
    load("--content-dir", str(tmp_path / "content"), "--force")
    assert (4, time(8, 30), time(17)) in hours_of("oak-park")


@pytest.mark.parametrize(
    ("hours", "error"),
    [
        ('    funday: "08:30-17:00"', "'funday' is not a day name"),
        ('    monday: "17:00-08:30"', "the office must close after it opens"),
        ('    monday: "half past eight"', "is not like"),
        ('    monday: "08:30-17:00-18:00"', "is not like"),
    ],
)
def test_bad_hours_in_the_file_are_refused_with_where_they_are(tmp_path, settings, hours, error):
    import shutil

    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    offices = tmp_path / "content" / "offices.yaml"
    offices.write_text(offices.read_text().replace('    monday: "08:30-17:00"', hours, 1))
    with pytest.raises(ValueError, match=f"offices.yaml, fort-myers.*{error}"):
        load("--content-dir", str(tmp_path / "content"))
    assert not Office.objects.exists()  # the load is one transaction
