"""Dates and times as the screens write them, for text built in Python (messages, errors).

The formats themselves live in one place, priorauth/formats/en/formats.py, which templates
and the admin use too.
"""

from datetime import date, datetime

from django.utils import formats, timezone


def screen_date(day: date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def screen_moment(moment: datetime | None) -> str:
    """An aware time in the plan's time zone."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")
