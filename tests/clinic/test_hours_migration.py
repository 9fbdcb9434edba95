"""The office-hours migration (clinic 0004): the Monday-to-Friday fields become OpeningHours rows, and
the loader still tells an office as loaded from one an editor changed."""

from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic.content import _fingerprint
from clinic.models import OpeningHours

BEFORE = [("clinic", "0003_forms")]


def migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_weekday_hours_become_rows_and_an_editors_change_stays_an_edit():
    try:
        executor = migrate(BEFORE)
        Office = executor.loader.project_state(BEFORE).apps.get_model("clinic", "Office")
        # The offices as the old loader stored them: the file's values and their fingerprint.
        for entry in yaml.safe_load((settings.CONTENT_DIR / "offices.yaml").read_text()):
            entry.pop("hours")
            slug = entry.pop("slug")
            entry |= {"weekday_opens": "08:30", "weekday_closes": "17:00"}
            Office.objects.create(slug=slug, **entry, content_fingerprint=_fingerprint(Office, entry, None))
        Office.objects.filter(slug="oak-park").update(phone="(708) 000-0000")  # changed in admin since
    finally:
        migrate()
    assert OpeningHours.objects.filter(office__slug="fort-myers", weekday__lt=5).count() == 5
    assert OpeningHours.objects.count() == 10
    out = StringIO()
    call_command("load_content", verbosity=2, stdout=out)
    assert "unchanged office fort-myers" in out.getvalue()  # as loaded: not mistaken for an edit
    assert "skipped office oak-park" in out.getvalue()  # the editor's change is kept
