import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casestudies.forms import PainMeasurementForm
from casestudies.models import CaseStudy, PainMeasurement

from .factory import CASE_1, load_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    load_cases()
    return CaseStudy.objects.get(slug=CASE_1)


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def change_form_data(case: CaseStudy, **measurement_changes) -> dict:
    """The admin change form for `case` as the browser would post it, with changes to its first measurement."""
    data = {
        "title": case.title,
        "slug": case.slug,
        "number": case.number,
        "order": case.order,
        "patient_age": case.patient_age,
        "patient_sex": case.patient_sex,
        "knees": case.knees,
        "condition": case.condition,
        "diagnosis": case.diagnosis,
        "presenting_history": case.presenting_history,
        "prior_treatments": case.prior_treatments,
        "outcome": case.outcome,
        "follow_up": case.follow_up,
        "evidence": case.evidence,
        "disclosure": case.disclosure,
        "source": "",
    }
    steps = list(case.steps.all())
    data.update({"steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps)})
    for i, step in enumerate(steps):
        for name in ["id", "order", "kind", "sessions", "interval", "period", "timing", "description", "result"]:
            value = getattr(step, name)
            data[f"steps-{i}-{name}"] = "" if value is None else value
        data[f"steps-{i}-case"] = case.pk
    measurements = list(case.measurements.all())
    data.update({"measurements-TOTAL_FORMS": len(measurements), "measurements-INITIAL_FORMS": len(measurements)})
    for i, m in enumerate(measurements):
        values = {
            "id": m.pk,
            "case": case.pk,
            "knee": m.knee,
            "point_order": m.point_order,
            "point_label": m.point_label,
            "intensity": m.intensity,
            "frequency": m.frequency,
            "knee_given": "on" if m.knee_given else "",
            "stated_as": m.stated_as,
            "headline": m.headline,
            "source_sentence": m.source_sentence,
        }
        if i == 0:
            values.update(measurement_changes)
        for name, value in values.items():
            if name == "knee_given" and not value:
                continue
            data[f"measurements-{i}-{name}"] = "" if value is None else value
    return data


def post_change(client, case, **changes):
    return client.post(f"/admin/casestudies/casestudy/{case.pk}/change/", change_form_data(case, **changes))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"intensity": 11}, "Ensure this value is less than or equal to 10."),
        ({"intensity": -1}, "Ensure this value is greater than or equal to 0."),
        ({"frequency": 101}, "Ensure this value is less than or equal to 100."),
        ({"intensity": "", "frequency": ""}, "Give a pain intensity (0–10), a pain frequency (0–100%) or both"),
    ],
)
def test_bad_values_are_refused_in_admin_and_nothing_changes(client, editor, case, changes, message):
    before = list(PainMeasurement.objects.values())
    response = post_change(client, case, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(PainMeasurement.objects.values()) == before


def test_a_good_value_is_saved_in_admin(client, editor, case):
    first = case.measurements.first()
    response = post_change(client, case, frequency=35)
    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    assert first.frequency == 35


def test_the_change_form_shows_the_inlines_with_their_limits(client, editor, case):
    html = client.get(f"/admin/casestudies/casestudy/{case.pk}/change/").content.decode()
    assert "Treatment steps" in html and "Pain measurements" in html
    assert 'name="measurements-0-intensity"' in html
    assert 'max="10"' in html and 'max="100"' in html


def test_the_form_refuses_out_of_range_values():
    form = PainMeasurementForm(
        data={"knee": "left", "point_order": 1, "point_label": "At presentation", "intensity": 12, "frequency": 140}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"intensity", "frequency"}


def test_the_model_and_the_database_refuse_out_of_range_values(case):
    bad = PainMeasurement(case=case, knee="left", point_order=9, point_label="x", intensity=11)
    with pytest.raises(ValidationError):
        bad.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        PainMeasurement.objects.create(case=case, knee="left", point_order=9, point_label="x", frequency=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        PainMeasurement.objects.create(case=case, knee="left", point_order=9, point_label="x")


def test_editors_may_edit_case_studies_and_nothing_of_intake():
    perms = set(
        Permission.objects.filter(group__name="Editors", content_type__app_label="casestudies").values_list(
            "codename", flat=True
        )
    )
    assert perms == {
        f"{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("casestudy", "treatmentstep", "painmeasurement")
    }
    assert not Permission.objects.filter(group__name="Editors", content_type__app_label="intake").exists()


def test_staff_without_the_permission_cannot_open_case_studies_in_admin(client, case):
    user = User.objects.create_user("triage", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(f"/admin/casestudies/casestudy/{case.pk}/change/").status_code == 403
