import datetime

import altcha
import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article
from intake import proof_of_work
from intake.models import Inquiry
from tests.conftest import free_port
from tests.intake.conftest import appointment_data, candidate_data, question_data, started

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def submit(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


def test_candidate_form_has_every_section_and_works_without_javascript(client, offices):
    html = client.get("/candidate/").content.decode()
    for legend in ["About you", "Your knee", "Check and send"]:
        assert f"<legend>{legend}" in html or f">{legend}</legend>" in html
    assert "Step 1 of 6" not in html  # one page with sections, not steps on one page
    assert 'href="#your-knee"' in html  # the links above the form lead to each section
    for text in ["Fort Myers, FL", "Oak Park, IL", "Either office, or remote", 'href="/privacy/"', "call 911"]:
        assert text in html
    assert "Enter code" not in html and "/captcha/" not in html  # no picture puzzle
    assert 'enctype="multipart/form-data"' in html
    assert "<script>" not in html


def test_a_candidate_submission_thanks_the_patient_with_a_reference(
    client, offices, django_capture_on_commit_callbacks, mailoutbox
):
    response = submit(client, "/candidate/", candidate_data(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/thanks/"
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == "candidate" and inquiry.status == "new"
    assert inquiry.reference == f"KN-{timezone.localdate().year}-{inquiry.pk:06d}"
    assert inquiry.office.slug == "oak-park" and inquiry.right_pain == 7 and inquiry.left_pain is None
    assert inquiry.suggested_type == 2 and inquiry.suggestion_reasons
    page = client.get("/thanks/").content.decode()
    assert "Thank you, Ada" in page and inquiry.reference in page
    assert "Type 2" not in page and "type 2" not in page  # the type is staff-only
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "triage@localhost"]


def test_thank_you_page_offers_reading_from_the_answers_not_one_treatment(
    client, offices, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Article.objects.create(
        title="PRP and Prolotherapy", slug="prp", summary="s", body="b", status="published", published_on=today
    )
    Article.objects.create(title="Draft PRP piece", slug="draft", summary="s", body="b", status="draft")
    Article.objects.create(
        title="Future PRP piece",
        slug="future",
        summary="s",
        body="b",
        status="published",
        published_on=today + datetime.timedelta(days=3),
    )
    submit(client, "/candidate/", candidate_data(duration="gt5y"), django_capture_on_commit_callbacks)
    page = client.get("/thanks/").content.decode()
    assert "You told us your knee has hurt for a long time" in page
    assert "PRP and Prolotherapy" in page and 'href="/treatments/"' in page
    assert "Draft PRP piece" not in page and "Future PRP piece" not in page
    assert 'href="/treatments/platelet-rich-plasma/"' not in page  # never one treatment picked for them


def test_thank_you_page_without_a_submission_goes_home(client):
    assert client.get("/thanks/")["Location"] == "/"


def test_bad_input_is_explained_beside_the_field_and_keeps_what_was_typed(client, offices):
    data = candidate_data(email="not-an-email", knees="both", message="My knee story")
    response = client.post("/candidate/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert "Choose how much your left knee hurts, from 0 to 10" in html
    assert 'value="not-an-email"' in html and "My knee story" in html and 'value="Ada"' in html
    assert Inquiry.objects.count() == 0


def test_an_image_sent_with_other_errors_is_asked_for_again(client, offices):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.intake.conftest import image_bytes

    upload = SimpleUploadedFile("mri.jpg", image_bytes(), content_type="image/jpeg")
    html = client.post("/candidate/", candidate_data(email="", image=upload)).content.decode()
    assert "Please choose the image again" in html


def test_the_same_form_sent_twice_stores_one_inquiry_and_sends_once(
    client, offices, django_capture_on_commit_callbacks, mailoutbox
):
    data = candidate_data()
    first = submit(client, "/candidate/", data, django_capture_on_commit_callbacks)
    second = submit(client, "/candidate/", data, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    assert Inquiry.objects.count() == 1
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"website": "http://spam.example"}, "The hidden field bots fill in was filled in"),
        ({"started": "just now"}, "Sent less than"),
        ({"started": "forged"}, "The form's start time was missing or altered"),
    ],
)
def test_a_failed_soft_check_keeps_the_inquiry_as_suspected_spam_without_emails(
    client, offices, django_capture_on_commit_callbacks, mailoutbox, overrides, reason
):
    if overrides.get("started") == "just now":
        overrides = {"started": started(seconds_ago=0)}
    response = submit(client, "/candidate/", candidate_data(**overrides), django_capture_on_commit_callbacks)
    assert response.status_code == 302  # the sender sees the usual thank-you page
    inquiry = Inquiry.objects.get()
    assert inquiry.held_as_spam and any(r.startswith(reason) for r in inquiry.spam_reasons)
    assert mailoutbox == [] and not inquiry.outbox.exists()  # not announced to staff
    assert not Inquiry.objects.open().exists()


def test_a_form_without_a_solved_proof_of_work_is_kept_as_suspected_spam(
    client, offices, django_capture_on_commit_callbacks, settings
):
    settings.CAPTCHA_TEST_MODE = False
    submit(client, "/candidate/", candidate_data(altcha="not-a-solution"), django_capture_on_commit_callbacks)
    assert Inquiry.objects.get().spam_reasons == [
        "No solved proof-of-work challenge (JavaScript off, or not a browser)"
    ]


@override_settings(INTAKE_RATE_LIMIT="2/h")
def test_more_submissions_than_the_rate_limit_get_a_friendly_message(
    client, offices, django_capture_on_commit_callbacks
):
    for _ in range(2):
        assert submit(client, "/candidate/", candidate_data(), django_capture_on_commit_callbacks).status_code == 302
    response = submit(client, "/candidate/", candidate_data(), django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "call either office" in response.content.decode()
    assert Inquiry.objects.count() == 2


def test_the_form_still_works_when_the_rate_limit_cache_is_down(
    client, offices, django_capture_on_commit_callbacks, caplog
):
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=dead_redis):
        response = submit(client, "/candidate/", candidate_data(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1
    assert "rate limit not checked, cache unavailable" in caplog.text


def test_a_question_from_an_article_records_the_article(client, offices, django_capture_on_commit_callbacks):
    article = Article.objects.create(
        title="Why stem cell therapy did not work",
        slug="stem-cells",
        summary="s",
        body="b",
        status="published",
        published_on=timezone.localdate(),
    )
    page = client.get("/ask/?article=stem-cells").content.decode()
    assert "Why stem cell therapy did not work" in page
    submit(
        client, "/ask/?article=stem-cells", question_data(article_slug="stem-cells"), django_capture_on_commit_callbacks
    )
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == "question" and inquiry.article == article and inquiry.suggested_type is None


@pytest.mark.parametrize("slug", ["draft-one", "no-such-article", "x" * 300])
def test_a_question_ignores_an_unpublished_or_unknown_article(
    client, offices, django_capture_on_commit_callbacks, slug
):
    Article.objects.create(title="Draft", slug="draft-one", summary="s", body="b", status="draft")
    assert client.get(f"/ask/?article={slug}").status_code == 200
    response = submit(client, "/ask/", question_data(article_slug=slug), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Inquiry.objects.get().article is None


def test_an_appointment_request_is_its_own_kind(client, offices, django_capture_on_commit_callbacks, mailoutbox):
    response = submit(client, "/appointment/", appointment_data(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == "appointment" and inquiry.patient_status == "new"
    assert inquiry.preferred_days == ["monday", "thursday"] and inquiry.office.slug == "fort-myers"
    staff = next(m for m in mailoutbox if m.to == ["triage@localhost"])
    assert "Appointment request" in staff.body and "Fort Myers, FL" in staff.body


def test_an_appointment_needs_a_phone_number(client, offices):
    html = client.post("/appointment/", appointment_data(phone="")).content.decode()
    assert "Enter your phone number" in html and "This field is required." not in html


@pytest.mark.parametrize("url", ["/candidate/", "/ask/", "/appointment/", "/newsletter/"])
def test_a_post_without_the_csrf_token_is_refused(offices, url):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(url, candidate_data())
    assert response.status_code == 403
    assert Inquiry.objects.count() == 0


def test_the_form_pages_stay_within_a_query_budget(client, offices, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/candidate/").status_code == 200


def test_every_page_links_the_newsletter_and_the_appointment_form(client, offices):
    html = client.get("/").content.decode()
    assert 'href="/newsletter/"' in html and 'href="/appointment/"' in html
    assert 'href="/accessibility/"' in html


def test_the_proof_of_work_widget_and_its_challenge_come_from_the_site_itself(client, offices, settings):
    settings.CAPTCHA_TEST_MODE = False
    html = client.get("/ask/").content.decode()
    assert 'src="/static/vendor/altcha/altcha.min.js"' in html and "<altcha-widget" in html
    assert 'challenge="/altcha/challenge/"' in html
    challenge = client.get("/altcha/challenge/").json()
    assert challenge["signature"] and challenge["parameters"]["algorithm"] == "SHA-256"
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge))
    payload = altcha.Payload(altcha.Challenge.from_dict(challenge), solution).to_base64()
    assert proof_of_work.verify(payload)
    assert not proof_of_work.verify(payload)  # each solved challenge counts once


def test_the_newsletter_has_no_challenge(client, offices):
    assert "altcha" not in client.get("/newsletter/").content.decode()


def test_the_error_summary_lists_every_error_with_a_link_and_the_title_says_error(client, offices):
    html = client.post("/candidate/", candidate_data(first_name="", knees=None, email="x")).content.decode()
    assert "<title>Error: " in html
    summary = html.split('id="form-errors"')[1].split("</div>")[0]
    assert 'href="#id_first_name">Enter your first name</a>' in summary
    assert 'href="#id_knees_0">Choose which knee hurts</a>' in summary
    assert 'href="#id_email">Enter an email address in the correct format' in summary
    assert 'role="alert" tabindex="-1"' in html


def test_a_knee_that_does_not_hurt_is_ignored_even_with_bad_answers(
    client, offices, django_capture_on_commit_callbacks
):
    data = candidate_data(knees="right", left_pain="42", left_pain_time="7")
    assert submit(client, "/candidate/", data, django_capture_on_commit_callbacks).status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.left_pain is None and inquiry.left_pain_time is None and inquiry.right_pain == 7


def test_the_guide_questions_are_stored(client, offices, django_capture_on_commit_callbacks):
    data = candidate_data(pain_worsening="yes", activity_level="high", tried_cortisone="yes")
    submit(client, "/candidate/", data, django_capture_on_commit_callbacks)
    inquiry = Inquiry.objects.get()
    assert inquiry.treatments_tried == ["nsaids", "cortisone", "physical_therapy"]
    assert inquiry.treatment_outcomes == {"nsaids": "for_a_while", "cortisone": "yes", "physical_therapy": "no"}
    assert (inquiry.pain_worsening, inquiry.activity_level) == ("yes", "high")
