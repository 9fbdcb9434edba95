"""Small labels the inquiry admin shows: who, and how long ago."""

from datetime import timedelta


def format_age(age: timedelta) -> str:
    """ "45 min", "3 h", "2 d": how long ago an inquiry came in, at a glance."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def user_label(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()
