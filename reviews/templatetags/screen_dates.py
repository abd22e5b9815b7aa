"""`{{ day|day }}` and `{{ moment|moment }}`: dates and times as every screen writes them
(reviews.dates). Loaded on every template (TEMPLATES' builtins in settings)."""

from datetime import date

from django import template

from reviews.dates import screen_format

register = template.Library()


@register.filter(expects_localtime=True)
def day(value) -> str:
    """A date, or an aware time's local date: "Mar 2, 2026" (Django's |date)."""
    return screen_format(value, "DATE_FORMAT") if isinstance(value, date) else ""


@register.filter(expects_localtime=True)
def moment(value) -> str:
    """A time in the plan's time zone: "Mar 2, 2026, 14:05" (Django's |date:"DATETIME_FORMAT")."""
    return screen_format(value, "DATETIME_FORMAT") if isinstance(value, date) else ""
