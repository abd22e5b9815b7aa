"""Dates and times as the screens write them, in templates (`|day`, `|moment`) and in text
built in Python (messages, errors).

The formats themselves live in one place, priorauth/formats/en/formats.py, which the admin
uses too. Django's `date` filter reads its format character by character and looks each
month name up in the translations on every call: about 0.1 ms a date, 15 ms on a page of
150 rows. Here a format is read once into its pieces and the month names once per language;
the text is Django's own, character for character (tests/views/test_screen_consistency.py compares
the two over random moments), and a format using anything else is handed to Django.
"""

import functools
from datetime import date, datetime

from django.utils import dateformat, formats, timezone, translation
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS, MONTHS_3

# The format characters read here, as django.utils.dateformat writes them.
_FIELDS = {
    "d": lambda v, names: f"{v.day:02d}",
    "j": lambda v, names: str(v.day),
    "m": lambda v, names: f"{v.month:02d}",
    "n": lambda v, names: str(v.month),
    "M": lambda v, names: names[0][v.month],
    "F": lambda v, names: names[1][v.month],
    "Y": lambda v, names: f"{v.year:04d}",
    "y": lambda v, names: f"{v.year % 100:02d}",
}
_TIME_FIELDS = {
    "H": lambda v, names: f"{v.hour:02d}",
    "G": lambda v, names: str(v.hour),
    "i": lambda v, names: f"{v.minute:02d}",
    "s": lambda v, names: f"{v.second:02d}",
}


@functools.lru_cache(maxsize=64)
def _pieces(format_string: str) -> tuple | None:
    """The format as (getter or None, literal) pairs; None when it uses a character not
    read here."""
    pieces = []
    for i, piece in enumerate(re_formatchars.split(format_string)):
        if i % 2:
            getter = _FIELDS.get(piece) or _TIME_FIELDS.get(piece)
            if getter is None:
                return None
            pieces.append((getter, piece in _TIME_FIELDS))
        elif piece:
            pieces.append((None, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


@functools.lru_cache(maxsize=8)
def _month_names(language: str | None) -> tuple[dict, dict]:
    return (
        {n: str(name).title() for n, name in MONTHS_3.items()},
        {n: str(name) for n, name in MONTHS.items()},
    )


def screen_format(value: date, format_name: str) -> str:
    """formats.date_format(value, format_name), the format read once."""
    return date_text(value, str(formats.get_format(format_name)))


def date_text(value: date, format_string: str) -> str:
    """django.utils.dateformat.format(value, format_string), the format read once."""
    pieces = _pieces(format_string)
    is_date_only = not isinstance(value, datetime)
    if pieces is None or (is_date_only and any(time for getter, time in pieces if getter)):
        return dateformat.format(value, format_string)  # Django's own, and its errors
    names = _month_names(translation.get_language())
    return "".join(getter(value, names) if getter else text for getter, text in pieces)


def screen_date(day: date | None) -> str:
    """A date (or the local date of an aware time) as screens write it: "Mar 2, 2026"."""
    if not day:
        return ""
    if isinstance(day, datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    return screen_format(day, "DATE_FORMAT")


def screen_moment(moment: datetime | None) -> str:
    """An aware time in the plan's time zone: "Mar 2, 2026, 14:05"."""
    if moment is None:
        return ""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return screen_format(moment, "DATETIME_FORMAT")
