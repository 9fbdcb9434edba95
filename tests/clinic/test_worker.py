import pytest

from clinic.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_answers_on_the_test_queue(celery_worker):
    from django.conf import settings

    replies = app.control.ping(destination=[f"{settings.CELERY_TASK_DEFAULT_QUEUE}@localhost"], timeout=2)
    assert replies and list(replies[0].values())[0] == {"ok": "pong"}
    active = app.control.inspect(destination=[f"{settings.CELERY_TASK_DEFAULT_QUEUE}@localhost"]).active_queues()
    queues = {q["name"] for qs in active.values() for q in qs}
    assert queues == {settings.CELERY_TASK_DEFAULT_QUEUE}
