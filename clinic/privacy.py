"""The privacy notice's versions (content/privacy-notice.yaml): which one is in effect now."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import yaml
from django.conf import settings


@dataclass(frozen=True)
class NoticeVersion:
    version: str
    effective: date
    changes: str


@lru_cache(maxsize=1)
def notice_versions() -> tuple[NoticeVersion, ...]:
    """Every version, newest first."""
    data = yaml.safe_load((settings.BASE_DIR / "content" / "privacy-notice.yaml").read_text())
    return tuple(NoticeVersion(str(v["version"]), v["effective"], v["changes"]) for v in data["versions"])


def current_notice() -> NoticeVersion:
    return notice_versions()[0]
