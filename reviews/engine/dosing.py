"""Dosing regimens: dose dates in an approval period, authorized quantities, and mismatches.

Conventions:
- The period is `days` days from `start`, so its last day is start + days - 1.
- Initial phase: a loading dose on start + 7*w days for each loading week w, then maintenance
  from start + 7*start_week days. Continuation phase: no loading; maintenance from the first day.
- Calendar-month steps are counted from the first maintenance date (not cumulatively), clamped to
  the month's end: from 31 January the doses fall on 28 (or 29) February, 31 March, 30 April, ...
- A loading dose and a maintenance dose on the same day count as one dose.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

UNITS = ("day", "week", "calendar_month")
PHASES = ("initial", "continuation")


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the last day of that month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@dataclass(frozen=True)
class Maintenance:
    every: int
    unit: str
    start_week: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Maintenance:
        _require_mapping(data, "maintenance", allowed={"every", "unit", "start_week"})
        every = _int(data.get("every"), "maintenance.every", minimum=1)
        unit = data.get("unit")
        if unit not in UNITS:
            raise ValueError(f"maintenance.unit must be one of {', '.join(UNITS)}; got {unit!r}.")
        start_week = _int(data.get("start_week", 0), "maintenance.start_week", minimum=0)
        return cls(every=every, unit=unit, start_week=start_week)

    def to_dict(self) -> dict[str, Any]:
        return {"every": self.every, "unit": self.unit, "start_week": self.start_week}

    def describe(self) -> str:
        """E.g. "every 4 weeks", "every calendar month"."""
        noun = self.unit.replace("_", " ")
        return f"every {noun}" if self.every == 1 else f"every {self.every} {noun}s"


@dataclass(frozen=True)
class Regimen:
    dose_amount: Decimal
    dose_unit: str
    route: str
    loading_weeks: tuple[int, ...] = ()
    maintenance: Maintenance | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Regimen:
        """Read the policy document's `regimen` mapping; bad data raises ValueError."""
        allowed = {"dose_amount", "dose_unit", "route", "loading_weeks", "maintenance"}
        _require_mapping(data, "regimen", allowed=allowed)
        maintenance = data.get("maintenance")
        return cls(
            dose_amount=_amount(data.get("dose_amount")),
            dose_unit=_text(data.get("dose_unit"), "dose_unit"),
            route=_text(data.get("route"), "route"),
            loading_weeks=_weeks(data.get("loading_weeks", [])),
            maintenance=None if maintenance is None else Maintenance.from_dict(maintenance),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dose_amount": str(self.dose_amount),
            "dose_unit": self.dose_unit,
            "route": self.route,
            "loading_weeks": list(self.loading_weeks),
        }
        if self.maintenance is not None:
            data["maintenance"] = self.maintenance.to_dict()
        return data


@dataclass(frozen=True)
class Quantity:
    doses: int
    total_amount: Decimal
    unit: str


def dose_dates(regimen: Regimen, *, start: date, days: int, phase: str) -> list[date]:
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}.")
    if days < 0:
        raise ValueError(f"days must not be negative; got {days}.")
    last = start + timedelta(days=days - 1)
    dates: set[date] = set()
    if phase == "initial":
        dates.update(start + timedelta(weeks=week) for week in regimen.loading_weeks)
    if regimen.maintenance is not None:
        offset = regimen.maintenance.start_week if phase == "initial" else 0
        first = start + timedelta(weeks=offset)
        dates.update(_maintenance_dates(regimen.maintenance, first=first, last=last))
    return sorted(d for d in dates if start <= d <= last)


def _maintenance_dates(maintenance: Maintenance, *, first: date, last: date) -> list[date]:
    dates = []
    step = 0
    while (when := _step(maintenance, first, step)) <= last:
        dates.append(when)
        step += 1
    return dates


def _step(maintenance: Maintenance, first: date, step: int) -> date:
    count = step * maintenance.every
    if maintenance.unit == "calendar_month":
        return add_months(first, count)
    if maintenance.unit == "week":
        return first + timedelta(weeks=count)
    return first + timedelta(days=count)


def authorized_quantity(regimen: Regimen, *, start: date, days: int, phase: str) -> Quantity:
    doses = len(dose_dates(regimen, start=start, days=days, phase=phase))
    return Quantity(doses=doses, total_amount=doses * regimen.dose_amount, unit=regimen.dose_unit)


def regimen_differences(requested: Regimen, rule: Regimen) -> list[str]:
    """Plain-language mismatches between a requested regimen and the policy's; [] if none."""
    differences = []
    if requested.dose_amount != rule.dose_amount or not _same(requested.dose_unit, rule.dose_unit):
        differences.append(
            f"Requested {_dose(requested)} per dose; the policy allows {_dose(rule)}."
        )
    if not _same(requested.route, rule.route):
        differences.append(
            f"Requested {requested.route} administration; the policy allows {rule.route}."
        )
    if requested.loading_weeks != rule.loading_weeks:
        differences.append(
            f"Requested {_loading(requested.loading_weeks)}; "
            f"the policy allows {_loading(rule.loading_weeks)}."
        )
    differences.extend(_maintenance_differences(requested.maintenance, rule.maintenance))
    return differences


def _maintenance_differences(requested: Maintenance | None, rule: Maintenance | None) -> list[str]:
    if requested is None or rule is None:
        if requested == rule:
            return []
        return [f"Requested {_maintenance(requested)}; the policy allows {_maintenance(rule)}."]
    differences = []
    if (requested.every, requested.unit) != (rule.every, rule.unit):
        differences.append(
            f"Requested maintenance doses {requested.describe()}; "
            f"the policy allows {rule.describe()}."
        )
    if requested.start_week != rule.start_week:
        differences.append(
            f"Requested maintenance from week {requested.start_week}; "
            f"the policy allows from week {rule.start_week}."
        )
    return differences


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _dose(regimen: Regimen) -> str:
    return f"{regimen.dose_amount} {regimen.dose_unit}"


def _loading(weeks: tuple[int, ...]) -> str:
    if not weeks:
        return "no loading doses"
    numbers = [str(w) for w in weeks]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    return f"loading doses at week{'s' if len(weeks) > 1 else ''} {listed}"


def _maintenance(maintenance: Maintenance | None) -> str:
    if maintenance is None:
        return "no maintenance doses"
    return f"maintenance doses {maintenance.describe()} from week {maintenance.start_week}"


def _require_mapping(data: Any, what: str, *, allowed: set[str]) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a mapping; got {type(data).__name__}.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"{what} has unknown key(s): {', '.join(map(str, unknown))}.")


def _int(value: Any, what: str, *, minimum: int) -> int:
    # bool is an int in Python; `every: true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}; got {value}.")
    return value


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f'dose_amount must be a number such as "20"; got {value!r}.')
    try:
        # str() first so a YAML float 0.1 becomes Decimal("0.1"), not its binary expansion.
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f'dose_amount must be a number such as "20"; got {value!r}.') from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"dose_amount must be a positive number; got {value!r}.")
    return amount


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string; got {value!r}.")
    return value


def _weeks(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"loading_weeks must be a list of week numbers; got {value!r}.")
    weeks = tuple(_int(w, "loading_weeks", minimum=0) for w in value)
    if list(weeks) != sorted(set(weeks)):
        raise ValueError(f"loading_weeks must be distinct and ascending; got {list(weeks)}.")
    return weeks
