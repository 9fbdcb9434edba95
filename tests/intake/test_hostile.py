"""Hostile input: whatever anyone sends, a field error, a 403 or a 429, never a 500; and whatever
is shown back is escaped."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.forms import AppointmentForm, CandidateForm, QuestionForm
from tests.intake.conftest import appointment_data, candidate_data, question_data

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR 1=1 --",
    "\x00",
    "A" * 5000,
    "-1",
    "99999999999999999999",
    "NaN",
    "../../etc/passwd",
    "\u202e\ufeff",
]
# Text a browser can send: any character except lone surrogates, which no encoding carries.
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
value = st.one_of(st.none(), text, st.sampled_from(HOSTILE), st.lists(st.sampled_from(HOSTILE), max_size=3))

FORMS = [
    ("/candidate/", CandidateForm, candidate_data),
    ("/ask/", QuestionForm, question_data),
    ("/appointment/", AppointmentForm, appointment_data),
]
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def fields_of(form_class):
    return [name for name in form_class.base_fields if name not in {"captcha", "image"}] + ["captcha_0", "captcha_1"]


def assert_safe(response):
    assert response.status_code in (200, 302, 429)
    if response.status_code != 302:
        html = response.content.decode()
        assert SCRIPT not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")


@pytest.mark.parametrize("url,form_class,valid", FORMS, ids=["candidate", "ask", "appointment"])
def test_random_and_hostile_values_in_every_field_never_cause_a_500(client, offices, url, form_class, valid):
    names = fields_of(form_class)

    @EXAMPLES
    @given(st.fixed_dictionaries({}, optional={name: value for name in names}))
    def check(overrides):
        cache.clear()
        data = valid(**overrides)
        assert_safe(client.post(url, {k: v for k, v in data.items() if v is not None}))

    check()


@pytest.mark.parametrize("url,form_class,valid", FORMS, ids=["candidate", "ask", "appointment"])
def test_script_in_every_text_field_is_shown_back_escaped(client, offices, url, form_class, valid):
    overrides = {name: SCRIPT for name in fields_of(form_class)}
    overrides["email"] = "not an email"  # keep the form invalid, so everything is shown back
    response = client.post(url, valid(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@EXAMPLES
@given(
    content=st.binary(max_size=2048), name=text, content_type=st.sampled_from(["image/png", "image/jpeg", "text/html"])
)
def test_random_bytes_as_the_image_never_cause_a_500(client, offices, content, name, content_type):
    cache.clear()
    # The name as Django's multipart parser would pass it on (a base name, no NUL).
    safe_name = name.replace("/", "").replace("\\", "").replace("\x00", "").strip(".")[:100] or "x"
    upload = SimpleUploadedFile(safe_name, content, content_type=content_type)
    assert_safe(client.post("/candidate/", candidate_data(image=upload)))


@EXAMPLES
@given(query=text)
def test_random_query_strings_on_the_question_form_never_cause_a_500(client, offices, query):
    assert client.get("/ask/", {"article": query}).status_code == 200


@EXAMPLES
@given(email=st.one_of(text, st.emails()))
def test_random_newsletter_addresses_never_cause_a_500(client, offices, email):
    from tests.intake.conftest import protection

    cache.clear()
    assert client.post("/newsletter/", {"email": email, **protection()}).status_code in (200, 302)


@EXAMPLES
@given(token=text)
def test_random_newsletter_links_never_cause_a_500(client, offices, token):
    from urllib.parse import quote

    if token:
        assert client.post(f"/newsletter/confirm/{quote(token, safe='')}/").status_code in (200, 404)
