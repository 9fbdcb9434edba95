"""Celery beat with a heartbeat, so a container health check can tell that beat still runs.

Beat answers no ping. This scheduler touches `<schedule file>.heartbeat` on every tick (at least
once a minute: CELERY_BEAT_MAX_LOOP_INTERVAL), and `python -m clinic.beat` exits 0 only while that
file is fresh: docker-compose.yml's health check for the beat service.
"""

import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler

MAX_LOOP_SECONDS = 60
STALE_AFTER_SECONDS = 3 * MAX_LOOP_SECONDS
DEFAULT_SCHEDULE_FILE = Path(__file__).resolve().parent.parent / "var" / "celerybeat-schedule"


def heartbeat_path(schedule_filename: str | os.PathLike) -> Path:
    return Path(f"{schedule_filename}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        heartbeat_path(self.schedule_filename).touch()
        return interval


def is_alive(schedule_filename: str | os.PathLike, *, now: float | None = None) -> bool:
    try:
        age = (now or time.time()) - heartbeat_path(schedule_filename).stat().st_mtime
    except FileNotFoundError:
        return False
    return age < STALE_AFTER_SECONDS


if __name__ == "__main__":
    schedule = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME") or DEFAULT_SCHEDULE_FILE
    if not is_alive(schedule):
        print(f"celery beat: no heartbeat in {heartbeat_path(schedule)} for {STALE_AFTER_SECONDS}s", file=sys.stderr)
        sys.exit(1)
