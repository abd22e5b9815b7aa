"""The deadline table: how long the plan has to decide, and how time left reads."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models.choices import LineOfBusiness, Urgency, in_choices


class DeadlineRule(models.Model):
    """How long the plan has to decide, by line of business and urgency. Admins edit it.

    Hours count from the moment of receipt. Calendar days end at 23:59:59 local time
    (settings.TIME_ZONE) of the last day, where the day of receipt is day 0: a standard
    commercial request received on 1 March at 09:00 is due on 16 March at 23:59:59.
    A rule changed later does not move the due time of cases already received: each case
    keeps its due time and a text snapshot of the rule it came from.
    """

    class Unit(models.TextChoices):
        HOURS = "hours", "hours"
        CALENDAR_DAYS = "calendar_days", "calendar days"

    class Kind(models.TextChoices):
        REQUEST = "request", "Request (pre-service)"
        APPEAL = "appeal", "Appeal (pre-service)"

    # A request's clock and an appeal's clock differ for the same line of business and
    # urgency (docs/appeals.md): one table, keyed by what is being decided.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    line_of_business = models.CharField(max_length=40, choices=LineOfBusiness.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=15, choices=Unit.choices)
    source = models.CharField(max_length=200, help_text="The rule's origin, e.g. NCQA UM 5.")

    class Meta:
        ordering = ["kind", "line_of_business", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "line_of_business", "urgency"],
                name="deadlinerule_unique_kind_lob_urgency",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["request", "appeal"]), name="deadlinerule_kind_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("line_of_business", LineOfBusiness),
                name="deadlinerule_lob_valid",
            ),
            models.CheckConstraint(
                condition=in_choices("urgency", Urgency), name="deadlinerule_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["hours", "calendar_days"]), name="deadlinerule_unit_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deadlinerule_amount_positive"),
        ]

    def __str__(self) -> str:
        what = "appeal, " if self.kind == self.Kind.APPEAL else ""
        return (
            f"{self.get_line_of_business_display()}, {what}{self.get_urgency_display().lower()}: "
            f"{self.amount} {self.get_unit_display()} ({self.source})"
        )

    def due_at(self, received_at: datetime) -> datetime:
        """The decision deadline for a request received at `received_at` (aware)."""
        if self.unit == self.Unit.HOURS:
            # In UTC: aware arithmetic in a local zone adds wall-clock hours, which across a
            # daylight-saving change is an hour more or less than the rule allows.
            return received_at.astimezone(UTC) + timedelta(hours=self.amount)
        zone = ZoneInfo(settings.TIME_ZONE)
        last_day = timezone.localtime(received_at, zone).date() + timedelta(days=self.amount)
        return datetime.combine(last_day, time(23, 59, 59), tzinfo=zone)


def deadline_state(received_at: datetime, due_at: datetime, now: datetime) -> str:
    """ "overdue" past the due time; "at_risk" with less than a quarter of the time left."""
    if now > due_at:
        return "overdue"
    if (due_at - now) * 4 < (due_at - received_at):
        return "at_risk"
    return ""


def duration_text(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' * (days != 1)} {hours} hour{'s' * (hours != 1)}"
    if hours:
        return f"{hours} hour{'s' * (hours != 1)} {minutes} min"
    return f"{minutes} min"
