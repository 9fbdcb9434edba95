"""gunicorn and Celery size themselves from the container's CPU quota (clinic/cpus.py)."""

import os
import runpy
from pathlib import Path

import pytest

from clinic.cpus import available_cpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def eight_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)


def cgroup(tmp_path, files: dict) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_cgroup_v2_quota_limits_the_count(tmp_path, eight_cpus):
    assert available_cpus(cgroup(tmp_path, {"cpu.max": "150000 100000\n"})) == 2  # 1.5 CPUs, rounded up
    assert available_cpus(cgroup(tmp_path, {"cpu.max": "20000 100000\n"})) == 1


def test_no_quota_means_the_cpus_the_process_may_run_on(tmp_path, eight_cpus):
    assert available_cpus(cgroup(tmp_path, {"cpu.max": "max 100000\n"})) == 8
    assert available_cpus(tmp_path / "no-cgroup-here") == 8


def test_a_cgroup_v1_quota_limits_the_count(tmp_path, eight_cpus):
    root = cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"})
    assert available_cpus(root) == 3
    unlimited = cgroup(tmp_path / "u", {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"})
    assert available_cpus(unlimited) == 8


def test_affinity_smaller_than_the_quota_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert available_cpus(cgroup(tmp_path, {"cpu.max": "400000 100000\n"})) == 1


def test_gunicorn_and_celery_use_it(monkeypatch, settings):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == available_cpus() * 2 + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 3
    assert available_cpus() == settings.CELERY_WORKER_CONCURRENCY
