"""How many CPUs this process may use: the container's CPU quota, not the host's core count.

`os.cpu_count()` counts the host's cores, so a container limited to 2 CPUs on a 32-core host would
start 65 gunicorn workers and 32 Celery processes. This reads the cgroup quota (v2 `cpu.max`,
v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) and the CPUs the process may be scheduled on, and
takes the smaller, rounded up, at least 1. gunicorn.conf.py and CELERY_WORKER_CONCURRENCY use it.
"""

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def _quota(root: Path) -> float | None:
    """The cgroup CPU quota in CPUs, or None when there is none."""
    v2 = root / "cpu.max"
    if v2.is_file():
        quota, _, period = v2.read_text().strip().partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return None
    v1_quota, v1_period = root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us"
    if v1_quota.is_file() and v1_period.is_file():
        quota, period = int(v1_quota.read_text()), int(v1_period.read_text())
        if quota > 0 and period > 0:
            return quota / period
    return None


def available_cpus(root: Path = CGROUP) -> int:
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        allowed = os.cpu_count() or 1
    try:
        quota = _quota(root)
    except (OSError, ValueError):
        quota = None
    if quota is not None:
        allowed = min(allowed, math.ceil(quota))
    return max(1, allowed)
