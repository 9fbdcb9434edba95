"""Celery beat's heartbeat and the health check that reads it (clinic/beat.py)."""

import os
import subprocess
import sys
import time

from clinic import beat
from clinic.celery import app
from tests.conftest import ROOT


def check(schedule) -> int:
    env = {**os.environ, "CELERY_BEAT_SCHEDULE_FILENAME": str(schedule)}
    return subprocess.run([sys.executable, "-m", "clinic.beat"], cwd=ROOT, env=env, capture_output=True).returncode


def test_each_tick_touches_the_heartbeat_that_the_health_check_reads(tmp_path, settings):
    assert settings.CELERY_BEAT_SCHEDULER == "clinic.beat:HeartbeatScheduler"
    assert settings.CELERY_BEAT_MAX_LOOP_INTERVAL == beat.MAX_LOOP_SECONDS
    schedule = tmp_path / "celerybeat-schedule"
    assert check(schedule) == 1, "no heartbeat yet: unhealthy"

    scheduler = beat.HeartbeatScheduler(app=app, schedule_filename=str(schedule), lazy=True)
    scheduler.setup_schedule()
    try:
        scheduler.tick()
    finally:
        scheduler.close()
    assert beat.heartbeat_path(schedule).exists()
    assert check(schedule) == 0

    stale = time.time() - beat.STALE_AFTER_SECONDS - 5
    os.utime(beat.heartbeat_path(schedule), (stale, stale))
    assert check(schedule) == 1, "beat stopped ticking: unhealthy"
