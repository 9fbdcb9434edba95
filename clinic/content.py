"""Keeping rows in step with the data files under content/ (used by `manage.py load_content`).

Every loader builds the values a row should have from its file and hands them to `sync_row`,
which creates, updates or leaves the row alone, and never silently overwrites an editor's edits.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import yaml
from django.db import models

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"  # changed in admin since it was loaded; left as the editor made it
STATUSES = (CREATED, UPDATED, UNCHANGED, SKIPPED)


@dataclass
class LoadReport:
    """What a load did, row by row, for the command to print."""

    rows: list[tuple[str, str]] = field(default_factory=list)

    def add(self, status: str, label: str) -> None:
        self.rows.append((status, label))

    def count(self, status: str) -> int:
        return sum(1 for s, _ in self.rows if s == status)

    def summary(self) -> str:
        return ", ".join(f"{self.count(s)} {s}" for s in STATUSES)


def _plain(model: type[models.Model], name: str, value):
    """A JSON-stable form of a field value, the same whether it comes from a file or a row."""
    model_field = model._meta.get_field(name)
    if isinstance(value, models.Model):
        return value.pk
    if value is not None and not model_field.is_relation:
        return model_field.to_python(value)
    return value


def _fingerprint(model: type[models.Model], values: dict, related) -> str:
    plain = {name: _plain(model, name, value) for name, value in values.items()}
    payload = json.dumps([plain, related], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def sync_row(
    model: type[models.Model],
    *,
    lookup: dict,
    values: dict,
    related=None,
    current_related: Callable[[models.Model], object] | None = None,
    force: bool = False,
) -> tuple[models.Model, str]:
    """Create or update the row found by `lookup` so that it holds `values`.

    `model` must derive from clinic.models.LoadedContent. `related` is a JSON-able snapshot of
    what the file says about rows hanging off this one (authors, references, ...), and
    `current_related(obj)` takes the same snapshot from the database; the caller writes those
    related rows itself when the status is CREATED or UPDATED.

    Returns (row, status). Rerunning with the same file changes nothing (UNCHANGED). When the
    file changed but the row was also edited in admin since the last load, the row is left as
    the editor made it (SKIPPED) unless `force` is set.
    """
    new_print = _fingerprint(model, values, related)
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, content_fingerprint=new_print)
        obj.full_clean()
        obj.save()
        return obj, CREATED
    if obj.content_fingerprint == new_print:
        return obj, UNCHANGED
    if obj.content_fingerprint and not force:
        as_stored = {name: getattr(obj, model._meta.get_field(name).attname) for name in values}
        stored_related = current_related(obj) if current_related else None
        if _fingerprint(model, as_stored, stored_related) != obj.content_fingerprint:
            return obj, SKIPPED
    for name, value in values.items():
        setattr(obj, name, value)
    obj.content_fingerprint = new_print
    obj.full_clean()
    obj.save()
    return obj, UPDATED


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def hours_snapshot(rows) -> list[list]:
    """The `related` snapshot of an office's opening hours: [[weekday, "08:30:00", "17:00:00"], ...]
    from (weekday, opens, closes) rows, sorted (the same from the file and from the database)."""
    return sorted([weekday, opens.isoformat(), closes.isoformat()] for weekday, opens, closes in rows)


def parse_hours(slug: str, hours) -> list[tuple[int, time, time]]:
    """offices.yaml's `hours:` ({monday: "08:30-17:00", ...}; a day left out is closed) as rows."""
    if not isinstance(hours, dict):
        raise ValueError(f"offices.yaml, {slug}: hours must map day names to “08:30-17:00”.")
    rows = []
    for day, span in hours.items():
        if str(day).lower() not in DAY_NAMES:
            raise ValueError(f"offices.yaml, {slug}: {day!r} is not a day name (monday ... sunday).")
        try:
            opens, closes = (time.fromisoformat(part.strip()) for part in str(span).replace("–", "-").split("-"))
        except ValueError:
            raise ValueError(f"offices.yaml, {slug}, {day}: {span!r} is not like “08:30-17:00”.") from None
        if closes <= opens:
            raise ValueError(f"offices.yaml, {slug}, {day}: the office must close after it opens.")
        rows.append((DAY_NAMES.index(str(day).lower()), opens, closes))
    return rows


def load_offices(content_dir: Path, report: LoadReport, *, force: bool = False) -> None:
    """Offices from content/offices.yaml, keyed by slug, with their opening hours (the `related`
    rows: hours changed in admin count as an editor's edit, as any field does)."""
    from clinic.models import Office, OpeningHours

    for entry in load_yaml(content_dir / "offices.yaml"):
        entry = dict(entry)
        slug = entry.pop("slug")
        hours = parse_hours(slug, entry.pop("hours", {}) or {})
        office, status = sync_row(
            Office,
            lookup={"slug": slug},
            values=entry,
            related=hours_snapshot(hours),
            current_related=lambda obj: hours_snapshot(obj.hours.values_list("weekday", "opens", "closes")),
            force=force,
        )
        if status in (CREATED, UPDATED):
            # One row at a time (not bulk): saving hours sends the signals that retire cached pages
            # and move the inquiries' due times (intake.apps).
            for row in office.hours.all():
                row.delete()
            for weekday, opens, closes in hours:
                OpeningHours.objects.create(office=office, weekday=weekday, opens=opens, closes=closes)
        report.add(status, f"office {slug}")
