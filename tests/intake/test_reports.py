"""The reports page (issue 19): the numbers on a hand-made set of inquiries, who may see it, the
charts and tables, the CSV downloads (formula-escaped, audited), hostile parameters, and a query
budget that does not grow with the number of inquiries."""

import csv
import io
import uuid
from datetime import datetime
from xml.etree import ElementTree as ET

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone

from clinic.models import Office
from intake.models import ContactAttempt, Inquiry
from intake.services import reports
from tests.articles.factories import make_article, make_treatment
from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db

URL = "/admin/intake/inquiry/reports/"
RANGE = "?start=2026-11-04&end=2026-11-12"  # the weeks of Monday 2 and Monday 9 November 2026
SVG = "{http://www.w3.org/2000/svg}"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 in the clinic's time zone."""
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.get_current_timezone())


def office(slug: str, label: str) -> Office:
    return Office.objects.create(
        name=label, slug=slug, label=label, street="1 Main St", city="Town", region="FL", postal_code="33901", phone="1"
    )


def inquiry(submitted: datetime, *, attempts=(), **fields) -> Inquiry:
    """An inquiry sent at `submitted`, with its attempts: (hours after, by, outcome)."""
    made = make_inquiry(**{"suggested_type": None, **fields})
    Inquiry.objects.filter(pk=made.pk).update(submitted_at=submitted)
    for hours, by, outcome in attempts:
        ContactAttempt.objects.create(
            inquiry=made, channel="phone", outcome=outcome, by=by, at=submitted + timezone.timedelta(hours=hours)
        )
    return made


@pytest.fixture
def dataset(db):
    """Six inquiries over two weeks, one held as spam and one the week before (both left out)."""
    nora = make_staff("nora", "Triage", first_name="Nora", last_name="Nurse")
    bob = make_staff("bob", "Triage", first_name="Bob", last_name="Builder")
    fort_myers, oak_park = office("fort-myers", "Fort Myers, FL"), office("oak-park", "Oak Park, IL")
    prp, prolo = make_treatment(name="PRP", slug="prp"), make_treatment(name="Prolotherapy", slug="prolo")
    article = make_article(title="Knee pain explained", treatments=[prp, prolo])
    # Week of 2 November
    inquiry(
        at(2, 9),
        kind="candidate",
        office=fort_myers,
        suggested_type=1,
        status="contacted",
        attempts=[(2, nora, "no_answer"), (5, bob, "reached")],
    )
    inquiry(at(3, 10), kind="question", article=article, status="scheduled", attempts=[(4, bob, "reached")])
    inquiry(at(4, 12), kind="appointment", office=oak_park, suggested_type=2, status="new")
    # Sunday 23:30 in the clinic's zone is Monday in UTC: still the first week.
    inquiry(at(8, 23, 30), kind="candidate", suggested_type=3, status="closed", attempts=[(10, None, "voicemail")])
    # Week of 9 November
    inquiry(
        at(9, 8), kind="question", article=article, suggested_type=1, status="not_a_candidate",
        attempts=[(1, nora, "reached")],
    )  # fmt: skip
    inquiry(
        at(10, 8), kind="candidate", office=fort_myers, suggested_type=1, status="in_review",
        attempts=[(3, nora, "no_answer")],
    )  # fmt: skip
    inquiry(at(10, 9), kind="candidate", held_as_spam=True, attempts=[(1, nora, "reached")])
    inquiry(at(1, 12), kind="candidate", status="new")  # Sunday 1 November: the week before
    return {"nora": nora, "bob": bob}


def test_the_numbers_on_a_hand_made_set(dataset):
    report = reports.build_report(datetime(2026, 11, 4).date(), datetime(2026, 11, 12).date())
    assert (report.start.isoformat(), report.end.isoformat()) == ("2026-11-02", "2026-11-15")
    assert report.received == 6
    assert report.by_kind.headers == ["Kind", "2026-11-02", "2026-11-09", "Total"]
    assert report.by_kind.rows == [
        ["Candidacy form", 2, 1, 3],
        ["Question", 1, 1, 2],
        ["Appointment request", 1, 0, 1],
    ]
    assert report.by_office.rows == [
        ["Either office, or remote", 2, 1, 3],
        ["Fort Myers, FL", 1, 1, 2],
        ["Oak Park, IL", 1, 0, 1],
    ]
    assert report.by_article.rows == [["Not from an article", 3, 1, 4], ["Knee pain explained", 1, 1, 2]]
    # Hours to the first attempt: week 1 [2, 4, 10], week 2 [1, 3]
    assert report.first_contact_by_week.rows == [["2026-11-02", 4, 3, 4.0, 8.8], ["2026-11-09", 2, 2, 2.0, 2.8]]
    assert report.first_contact_by_staff.rows == [
        ["Bob Builder", 1, 4.0, 4.0],
        ["Nora Nurse", 3, 2.0, 2.8],
        ["former staff", 1, 10.0, 10.0],
    ]
    assert report.funnel_by_type.rows == [
        ["Type 1", 3, 2, 66.7, 0, 0.0, 1, 33.3, 0, 0.0, 1],
        ["Type 2", 1, 0, 0.0, 0, 0.0, 0, 0.0, 0, 0.0, 1],
        ["Type 3", 1, 0, 0.0, 0, 0.0, 0, 0.0, 1, 100.0, 0],  # closed after a voicemail: not contacted
        ["No suggestion", 1, 1, 100.0, 1, 100.0, 0, 0.0, 0, 0.0, 0],
        ["Total", 6, 3, 50.0, 1, 16.7, 1, 16.7, 1, 16.7, 2],
    ]
    assert report.funnel_by_treatment.rows == [
        ["PRP", 2, 2, 100.0, 1, 50.0, 1, 50.0, 0, 0.0, 0],
        ["Prolotherapy", 2, 2, 100.0, 1, 50.0, 1, 50.0, 0, 0.0, 0],
        ["No treatment (no article, or an article about none)", 4, 1, 25.0, 0, 0.0, 0, 0.0, 1, 25.0, 2],
    ]


def test_percentiles_interpolate_between_ranks():
    assert reports.percentile([], 90) is None
    assert reports.percentile([5], 90) == 5
    assert reports.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)
    assert reports.percentile([10, 2, 4], 50) == 4


def test_the_default_range_is_the_last_12_weeks():
    start, end = reports.default_range(datetime(2026, 12, 2).date())  # a Wednesday
    assert (start.isoformat(), end.isoformat()) == ("2026-09-14", "2026-12-06")


# --- who may see it ------------------------------------------------------------------------------


def test_the_triage_group_sees_the_page_and_the_link_on_the_admin_home(client, dataset):
    client.force_login(dataset["nora"])
    assert 'href="/admin/intake/inquiry/reports/"' in client.get("/admin/").content.decode()
    response = client.get(URL + RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>6</strong> inquiries received" in html
    assert "Contacted: a logged attempt reached the person" in html


def test_staff_without_the_permission_get_403_and_no_link(client, dataset):
    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_inquiry"))
    client.force_login(viewer)
    assert "/admin/intake/inquiry/reports/" not in client.get("/admin/").content.decode()
    assert client.get(URL).status_code == 403
    assert client.get(URL + RANGE + "&csv=by-kind").status_code == 403
    client.force_login(make_staff("editor", "Editors"))
    assert client.get(URL).status_code == 403


def test_the_permission_alone_is_enough(client, dataset):
    manager = make_staff("manager")
    manager.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client.force_login(manager)
    assert client.get(URL + RANGE).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- charts and tables ---------------------------------------------------------------------------


def charts_in(html: str) -> list[ET.Element]:
    figures = html.split('<figure class="report-chart">')[1:]
    return [ET.fromstring(part[: part.index("</figure>")]) for part in figures]


def test_each_table_has_an_accessible_chart_beside_it(client, dataset):
    client.force_login(dataset["nora"])
    html = client.get(URL + RANGE).content.decode()
    svgs = charts_in(html)
    assert len(svgs) == 7
    for svg in svgs:
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text
        assert svg.find(f"{SVG}desc").get("id") == desc_id
    by_kind = svgs[0]
    assert "Candidacy form: 3" in by_kind.find(f"{SVG}desc").text
    # the week totals are written on the chart, and each bar names its value
    texts = [t.text for t in by_kind.iter(f"{SVG}text")]
    assert "4" in texts and "2" in texts
    assert "Nov 2, Candidacy form: 2" in [t.text for t in by_kind.iter(f"{SVG}title")]
    staff = svgs[4]
    assert "Nora Nurse: 2 h" in staff.find(f"{SVG}desc").text
    assert html.count('-caption">') == 7 and html.count("download>Download") == 7


def test_a_staff_name_cannot_break_the_chart_or_the_page(client, dataset):
    hostile = make_staff("hostile", "Triage", first_name="</desc><script>alert(1)</script>", last_name="&")
    inquiry(at(5, 9), kind="candidate", attempts=[(1, hostile, "reached")])
    client.force_login(dataset["nora"])
    html = client.get(URL + RANGE).content.decode()
    assert "<script>alert(1)" not in html
    assert len(charts_in(html)) == 7  # every chart still parses


# --- CSV -----------------------------------------------------------------------------------------


def download(client, key: str) -> list[list[str]]:
    response = client.get(f"{URL}{RANGE}&csv={key}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"inquiries-{key}-2026-11-02-to-2026-11-15.csv" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_table_downloads_as_csv_and_the_download_is_audited(client, dataset):
    client.force_login(dataset["nora"])
    assert download(client, "by-kind") == [
        ["Kind", "2026-11-02", "2026-11-09", "Total"],
        ["Candidacy form", "2", "1", "3"],
        ["Question", "1", "1", "2"],
        ["Appointment request", "1", "0", "1"],
    ]
    assert download(client, "first-contact-by-staff")[-1] == ["former staff", "1", "10.0", "10.0"]
    assert download(client, "funnel-by-type")[-1] == [
        "Total",
        "6",
        "3",
        "50.0",
        "1",
        "16.7",
        "1",
        "16.7",
        "1",
        "16.7",
        "2",
    ]
    entries = LogEntry.objects.filter(object_pk="reports").order_by("pk")
    assert [e.additional_data["table"] for e in entries] == ["by-kind", "first-contact-by-staff", "funnel-by-type"]
    assert entries[0].actor == dataset["nora"] and entries[0].additional_data["start"] == "2026-11-02"
    # Superusers read the entries in the audit log's admin; no inquiry's trail lists them.
    client.force_login(make_staff("root", superuser=True))
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    client.force_login(dataset["nora"])
    # A week without a time says so with an empty cell, not "None".
    empty = download(client, "first-contact-by-week")
    assert "None" not in str(empty)


def test_csv_cells_are_escaped_against_formulas(client, dataset):
    evil = make_staff("evil", "Triage", first_name='=HYPERLINK("http://x")', last_name="")
    article = make_article(title="+SUM(A1:A2)")
    inquiry(at(5, 9), kind="question", article=article, attempts=[(1, evil, "reached")])
    client.force_login(dataset["nora"])
    staff = {row[0] for row in download(client, "first-contact-by-staff")}
    assert '\'=HYPERLINK("http://x")' in staff and not any(name.startswith("=") for name in staff)
    articles = {row[0] for row in download(client, "by-article")}
    assert "'+SUM(A1:A2)" in articles


# --- hostile parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?start=2026-13-45&end=2026-11-12",
        "?start=nope&end=",
        "?start=2026-11-12&end=2026-11-04",  # backwards
        "?start=2020-01-01&end=2026-11-12",  # more than 104 weeks
        "?start=0001-01-01&end=9999-12-31",
        "?start=9999-12-31&end=9999-12-31",  # the calendar's last week ends in year 10000
        "?start=0001-01-01&end=0001-01-07",
        "?start=%00&end=%27%3B--",
        "?start=" + "9" * 5000 + "&end=2026-11-12",
    ],
)
def test_bad_ranges_show_the_form_with_an_error_and_no_report(client, dataset, query):
    client.force_login(dataset["nora"])
    response = client.get(URL + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html and "report-chart" not in html
    # nor any CSV
    assert client.get(URL + query + "&csv=by-kind")["Content-Type"].startswith("text/html")


def test_an_unknown_table_is_404_and_a_repeated_parameter_takes_the_last(client, dataset):
    client.force_login(dataset["nora"])
    assert client.get(URL + RANGE + "&csv=../../etc/passwd").status_code == 404
    assert client.get(URL + RANGE + "&csv=").status_code == 404
    html = client.get(URL + "?start=2026-11-04&start=2026-11-09&end=2026-11-12").content.decode()
    assert "<strong>2</strong> inquiries received" in html  # only the second week


def test_no_parameters_show_the_last_12_weeks(client, dataset):
    client.force_login(dataset["nora"])
    html = client.get(URL).content.decode()
    assert "in 12 weeks" in html
    start, _ = reports.default_range()
    assert f'value="{start.isoformat()}"' in html


# --- the query budget ----------------------------------------------------------------------------


def bulk_inquiries(count: int, staff) -> None:
    """`count` inquiries this week and last, half with a first attempt, a tenth from an article."""
    article = make_article(title="Bulk article", treatments=[make_treatment(name="Bulk", slug="bulk")])
    statuses = Inquiry.Status.values
    Inquiry.objects.bulk_create(
        [
            Inquiry(
                kind=Inquiry.Kind.values[i % 3],
                submission_token=uuid.uuid4(),
                reference=f"KN-BULK-{i:06d}",
                first_name="Pat",
                last_name=f"Patient{i}",
                email=f"p{i}@example.com",
                status=statuses[i % len(statuses)],
                suggested_type=(i % 4) or None,
                article=article if i % 10 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    ids = list(Inquiry.objects.filter(reference__startswith="KN-BULK-").values_list("pk", flat=True))
    ContactAttempt.objects.bulk_create(
        [
            ContactAttempt(inquiry_id=pk, channel="phone", outcome="reached", by=staff[n % len(staff)])
            for n, pk in enumerate(ids[::2])
        ],
        batch_size=2000,
    )


@pytest.mark.parametrize("count", [100, 10_000])
def test_the_page_costs_the_same_queries_at_100_and_10000_inquiries(client, count, django_assert_num_queries):
    staff = [make_staff(f"staff{i}", "Triage", first_name=f"Staff{i}") for i in range(20)]
    bulk_inquiries(count, staff)
    client.force_login(staff[0])
    client.get(URL)  # warm: content types, permissions
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.status_code == 200
    assert f"<strong>{count:,}</strong>".replace(",", "") in response.content.decode().replace(",", "")


# The session, the user, its own and its groups' permissions (has_perm), then the report's three.
QUERIES = 7
