"""clinic.locks.once_per: a job (the daily digest) runs once per day however many beats ask."""

import threading
from datetime import date

import pytest
from django.db import connection

from clinic.locks import once_per, release
from clinic.models import RunClaim

DAY = date(2026, 12, 2)


@pytest.mark.django_db
def test_the_first_owner_claims_the_day_and_others_are_refused():
    assert once_per("digest", DAY, owner="task-1")
    assert not once_per("digest", DAY, owner="task-2"), "a second beat's task"
    assert once_per("digest", DAY, owner="task-1"), "a retry of the same task keeps its claim"
    assert once_per("digest", date(2026, 12, 3), owner="task-2"), "the next day is free"
    assert once_per("other-job", DAY, owner="task-3"), "another job is free"


@pytest.mark.django_db
def test_a_released_claim_can_be_taken_again():
    assert once_per("digest", DAY, owner="task-1")
    release("digest", DAY)
    assert once_per("digest", DAY, owner="task-2")


@pytest.mark.django_db
def test_today_in_utc_is_the_default_period(settings):
    assert once_per("digest", owner="task-1")
    assert RunClaim.objects.get().period is not None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_many_processes_asking_at_once_get_one_claim():
    results = []
    barrier = threading.Barrier(8)

    def ask(n):
        barrier.wait()
        try:
            results.append(once_per("digest", DAY, owner=f"beat-{n}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]
    assert RunClaim.objects.filter(key="digest", period=DAY).count() == 1
