"""Issue 15: the medical-review queue (admin home, weekly email by Celery beat) and the review fields."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from articles import reviews, tasks
from articles.models import Article
from casestudies.models import CaseStudy

from .conftest import A000, A002

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 11, 20)


def test_every_article_and_case_history_has_its_reviewer_and_dates_from_the_data_files(loaded):
    for row in [*Article.objects.all(), *CaseStudy.objects.all()]:
        assert str(row.reviewer) == "Ross Hauser, MD", row
        assert row.last_reviewed_on == datetime.date(2026, 12, 2)
        assert row.next_review_due == datetime.date(2027, 12, 2)
    # The source states no publication date for either article.
    assert not Article.objects.filter(source_published_on__isnull=False).exists()


def test_the_queue_sorts_pages_into_overdue_due_soon_and_unscheduled(loaded):
    Article.objects.filter(slug=A002).update(next_review_due=TODAY - datetime.timedelta(days=1))
    CaseStudy.objects.filter(number=3).update(next_review_due=None)
    queue = reviews.review_queue(today=TODAY)
    assert [(i.kind, i.title) for i in queue.overdue] == [("Article", Article.objects.get(slug=A002).title)]
    # Due 2027-12-02: within 30 days of 2027-11-20.
    assert {i.title for i in queue.due_soon} == {
        Article.objects.get(slug=A000).title,
        *CaseStudy.objects.filter(number__in=[1, 2]).values_list("title", flat=True),
    }
    assert [i.kind for i in queue.unscheduled] == ["Case history"]
    assert queue.overdue[0].admin_path == f"/admin/articles/article/{Article.objects.get(slug=A002).pk}/change/"
    assert reviews.review_queue(today=datetime.date(2027, 1, 1)).due_soon == []


def test_the_weekly_email_lists_the_queue_with_admin_links_and_nothing_else(loaded):
    Article.objects.filter(slug=A002).update(next_review_due=TODAY - datetime.timedelta(days=3))
    reviews.send_review_reminder(today=TODAY)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == list(settings.EDITOR_EMAILS)
    assert message.subject == "Medical reviews: 1 overdue, 4 due within 30 days"
    assert "Overdue:\n- Article: Why stem cell therapy" in message.body
    assert f"{settings.SITE_URL}/admin/articles/article/" in message.body
    assert "Case history: Case history 1" in message.body


def test_the_task_sends_it_and_beat_runs_it_weekly(loaded):
    tasks.send_review_reminder.delay()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Medical reviews:")
    entry = settings.CELERY_BEAT_SCHEDULE["articles-review-reminder"]
    assert entry["task"] == "articles.tasks.send_review_reminder"
    assert entry["schedule"].day_of_week == {1}  # Mondays


def test_the_admin_home_shows_the_review_queue_to_editors(client, loaded, admin_user):
    Article.objects.filter(slug=A002).update(next_review_due=datetime.date(2020, 1, 1))
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert '<h2 id="review-queue-title">Medical reviews</h2>' in html
    assert "Overdue" in html and "Why stem cell therapy did not" in html
    CaseStudy.objects.filter(number=1).update(next_review_due=datetime.date(2020, 1, 1))
    changelist = client.get("/admin/casestudies/casestudy/?review=overdue").content.decode()
    assert "Case history 1:" in changelist and "Case history 2:" not in changelist
