"""Approval durations ({count, unit}) and the last day of a period that starts on a date.

The one rule for where a period ends, whatever shows or issues it (the policy page, the
nurse's summary, the letter): both its first and its last day are covered, so
- day: start + n - 1;
- week: start + 7n - 1;
- calendar_month: the same day n calendar months on (clamped to that month's end, as
  dosing.add_months), minus one day: from 31 January, one calendar month ends on 27 February
  (28 in a leap year), the day before 28 (29) February.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .dosing import add_months

DURATION_UNITS = ("day", "week", "calendar_month")


@dataclass(frozen=True)
class Duration:
    count: int
    unit: str

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(
                f"A duration's count must be a whole number of at least 1, not {self.count!r}."
            )
        if self.unit not in DURATION_UNITS:
            raise ValueError(
                f"A duration's unit must be one of {', '.join(DURATION_UNITS)}, not {self.unit!r}."
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Duration:
        return cls(count=data["count"], unit=data["unit"])

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "unit": self.unit}

    def end(self, start: date) -> date:
        """The last day of a period of this duration that starts on `start`."""
        if self.unit == "day":
            return start + timedelta(days=self.count - 1)
        if self.unit == "week":
            return start + timedelta(days=7 * self.count - 1)
        return add_months(start, self.count) - timedelta(days=1)

    def describe(self) -> str:
        """E.g. "365 days", "1 week", "6 calendar months"."""
        noun = self.unit.replace("_", " ")
        return f"{self.count} {noun}" if self.count == 1 else f"{self.count} {noun}s"


def period_end(start: date, duration: Duration | Mapping[str, Any]) -> date:
    """The last day of a period of `duration` that starts on `start`."""
    if not isinstance(duration, Duration):
        duration = Duration.from_dict(duration)
    return duration.end(start)
