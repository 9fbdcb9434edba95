"""Small labels the inquiry admin shows: who, when, how long ago, yes or no."""

from datetime import timedelta

from django.contrib import admin
from django.utils import formats, timezone


def format_age(age: timedelta) -> str:
    """ "45 min", "3 h", "2 d": how long ago an inquiry came in, at a glance."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def format_when(moment) -> str:
    """A moment in the clinic's time zone, in the one format the admin uses for dates and times
    (the locale's DATETIME_FORMAT, which the admin's own read-only fields use too)."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def user_label(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


def yes_no(field_name: str, description: str):
    """An admin method showing a yes/no answer as the word "Yes" or "No" (the admin's default is a
    green tick or a red cross, which reads as an error)."""

    @admin.display(description=description)
    def show(model_admin, obj):
        return "Yes" if getattr(obj, field_name) else "No"

    show.__name__ = f"{field_name}_answer"
    return show
