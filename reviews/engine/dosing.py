"""Dosing regimens as phases: dose dates in an approval period, authorized quantities, and
mismatches between a requested regimen and a policy's rule.

A regimen is a list of phases (a loading series, a maintenance schedule, ...), each with its
dose, route and schedule, plus an optional dose range and quantity limit. Conventions:
- The period is `days` days from `start`, so its last day is start + days - 1.
- A series gives a dose at each offset of `at` (days or weeks) from the first day.
  A repeating schedule gives a dose every `every` days, weeks or calendar months from its
  `start` offset (days or weeks).
- Calendar-month steps are counted from the phase's first date (not cumulatively), clamped to
  the month's end: from 31 January the doses fall on 28 (or 29) February, 31 March, 30 April...
- Initial request: every phase, at its offsets. Continuation: the phases that are not
  `initial_only`, counted from day 0 of the period; a repeating phase's start offset is dropped
  (it carries on from the first day). `continuation_form` is that rule.
- Every phase's doses count, also two phases on one day; the quantity is their sum.
- A per-kg dose needs the member's weight: without it the amount is unknown, never guessed.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .numbers import plain_number as _number

UNITS = ("day", "week", "calendar_month")  # a repeating schedule's step
OFFSET_UNITS = ("day", "week")  # a series' offsets, a repeating schedule's start
PHASES = ("initial", "continuation")
# The furthest offset or interval a regimen may name: ten years.
MAX_OFFSET_DAYS = 3660


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the last day of that month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@dataclass(frozen=True)
class Dose:
    """A fixed `amount`, or `per_kg` of body weight (at most `max`), in `unit`."""

    unit: str
    amount: Decimal | None = None
    per_kg: Decimal | None = None
    max: Decimal | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Dose:
        _require_mapping(data, where, allowed={"amount", "per_kg", "max", "unit"})
        amount, per_kg, most = (data.get(k) for k in ("amount", "per_kg", "max"))
        if (amount is None) == (per_kg is None):
            raise ValueError(f"{where} needs either amount or per_kg (one of them).")
        if amount is not None and most is not None:
            raise ValueError(f"{where}.max applies only to a per_kg dose.")
        return cls(
            unit=_text(data.get("unit"), f"{where}.unit"),
            amount=None if amount is None else _amount(amount, f"{where}.amount"),
            per_kg=None if per_kg is None else _amount(per_kg, f"{where}.per_kg"),
            max=None if most is None else _amount(most, f"{where}.max"),
        )

    def to_dict(self) -> dict[str, Any]:
        if self.amount is not None:
            return {"amount": _number(self.amount), "unit": self.unit}
        data = {"per_kg": _number(self.per_kg)}
        if self.max is not None:
            data["max"] = _number(self.max)
        return {**data, "unit": self.unit}

    def for_weight(self, weight_kg: Decimal | None) -> Decimal | None:
        """The amount of one dose; None for a per-kg dose without a weight."""
        if self.amount is not None:
            return self.amount
        if weight_kg is None or self.per_kg is None:
            return None
        amount = self.per_kg * Decimal(weight_kg)
        return min(amount, self.max) if self.max is not None else amount

    def describe(self) -> str:
        """E.g. "300 mg", "5 mg/kg (at most 400 mg)"."""
        if self.amount is not None:
            return f"{_number(self.amount)} {self.unit}"
        text = f"{_number(self.per_kg)} {self.unit}/kg"
        return f"{text} (at most {_number(self.max)} {self.unit})" if self.max else text


@dataclass(frozen=True)
class Schedule:
    """A series (`at` offsets in `unit` day|week) or a repeating schedule (`every` N `unit`
    day|week|calendar_month from `start` `start_unit` day|week)."""

    unit: str
    at: tuple[int, ...] | None = None
    every: int | None = None
    start: int = 0
    start_unit: str = "day"

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Schedule:
        keys = {"at", "unit", "every", "start", "start_unit"}
        _require_mapping(data, where, allowed=keys)
        at, every = data.get("at"), data.get("every")
        unit = data.get("unit")
        if (at is None) == (every is None):
            raise ValueError(
                f"{where} needs either at (a series of offsets) or every (a repeating "
                "schedule), one of them."
            )
        if at is not None:
            extra = sorted(k for k in ("start", "start_unit") if data.get(k) is not None)
            if extra:
                raise ValueError(f"{where}: a series has no {' or '.join(extra)}.")
            if unit not in OFFSET_UNITS:
                raise ValueError(f"{where}.unit of a series must be day or week; got {unit!r}.")
            return cls(unit=unit, at=_offsets(at, f"{where}.at", unit))
        if unit not in UNITS:
            raise ValueError(f"{where}.unit must be one of {', '.join(UNITS)}; got {unit!r}.")
        start_unit = data.get("start_unit") or "day"
        if start_unit not in OFFSET_UNITS:
            raise ValueError(f"{where}.start_unit must be day or week; got {start_unit!r}.")
        start = data.get("start")
        schedule = cls(
            unit=unit,
            every=_int(every, f"{where}.every", minimum=1),
            start=0 if start is None else _int(start, f"{where}.start", minimum=0),
            start_unit=start_unit,
        )
        if _days(schedule.every, unit) > MAX_OFFSET_DAYS:
            raise ValueError(f"{where}.every must be at most ten years.")
        if _days(schedule.start, start_unit) > MAX_OFFSET_DAYS:
            raise ValueError(f"{where}.start must be at most ten years.")
        return schedule

    def to_dict(self) -> dict[str, Any]:
        if self.at is not None:
            return {"at": list(self.at), "unit": self.unit}
        data: dict[str, Any] = {"every": self.every, "unit": self.unit}
        if self.start:
            data.update(start=self.start, start_unit=self.start_unit)
        return data

    @property
    def repeating(self) -> bool:
        return self.every is not None

    def dates(self, *, first: date, last: date) -> list[date]:
        """The dose dates from the period's first day to its last, both included."""
        if self.at is not None:
            found = [first + timedelta(days=_days(offset, self.unit)) for offset in self.at]
            return [d for d in found if d <= last]
        begin = first + timedelta(days=_days(self.start, self.start_unit))
        dates, step = [], 0
        while (when := self._step(begin, step)) <= last:
            dates.append(when)
            step += 1
        return dates

    def _step(self, begin: date, step: int) -> date:
        count = step * (self.every or 0)
        if self.unit == "calendar_month":
            return add_months(begin, count)
        return begin + timedelta(days=_days(count, self.unit))

    def describe(self) -> str:
        """E.g. "at weeks 0, 1 and 2", "every 6 calendar months from week 24"."""
        if self.at is not None:
            plural = "s" if len(self.at) > 1 else ""
            return f"at {self.unit}{plural} {_listed([str(o) for o in self.at])}"
        noun = self.unit.replace("_", " ")
        text = f"every {noun}" if self.every == 1 else f"every {self.every} {noun}s"
        return f"{text} from {self.start_unit} {self.start}" if self.start else text


@dataclass(frozen=True)
class Phase:
    dose: Dose
    route: str
    schedule: Schedule
    name: str = ""
    initial_only: bool = False

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Phase:
        keys = {"name", "dose", "route", "schedule", "initial_only"}
        _require_mapping(data, where, allowed=keys)
        name = data.get("name") or ""
        if not isinstance(name, str):
            raise ValueError(f"{where}.name must be text; got {name!r}.")
        initial_only = data.get("initial_only", False)
        if not isinstance(initial_only, bool):
            raise ValueError(f"{where}.initial_only must be true or false; got {initial_only!r}.")
        return cls(
            dose=Dose.from_dict(data.get("dose"), f"{where}.dose"),
            route=_text(data.get("route"), f"{where}.route"),
            schedule=Schedule.from_dict(data.get("schedule"), f"{where}.schedule"),
            name=name.strip(),
            initial_only=initial_only,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name} if self.name else {}
        data.update(dose=self.dose.to_dict(), route=self.route, schedule=self.schedule.to_dict())
        if self.initial_only:
            data["initial_only"] = True
        return data

    def describe(self) -> str:
        """E.g. "300 mg intravenous at days 0 and 14 (initial only)"."""
        text = f"{self.dose.describe()} {self.route} {self.schedule.describe()}"
        return f"{text} (initial only)" if self.initial_only else text


@dataclass(frozen=True)
class DoseRange:
    unit: str
    min: Decimal | None = None
    max: Decimal | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str) -> DoseRange:
        _require_mapping(data, where, allowed={"min", "max", "unit"})
        low, high = data.get("min"), data.get("max")
        if low is None and high is None:
            raise ValueError(f"{where} needs min, max or both.")
        found = cls(
            unit=_text(data.get("unit"), f"{where}.unit"),
            min=None if low is None else _amount(low, f"{where}.min"),
            max=None if high is None else _amount(high, f"{where}.max"),
        )
        if found.min is not None and found.max is not None and found.min > found.max:
            raise ValueError(f"{where}.min is more than its max.")
        return found

    def to_dict(self) -> dict[str, Any]:
        data = {k: _number(getattr(self, k)) for k in ("min", "max") if getattr(self, k)}
        return {**data, "unit": self.unit}


@dataclass(frozen=True)
class QuantityLimit:
    amount: Decimal
    unit: str
    per_days: int

    @classmethod
    def from_dict(cls, data: Any, where: str) -> QuantityLimit:
        _require_mapping(data, where, allowed={"amount", "unit", "per_days"})
        return cls(
            amount=_amount(data.get("amount"), f"{where}.amount"),
            unit=_text(data.get("unit"), f"{where}.unit"),
            per_days=_int(data.get("per_days"), f"{where}.per_days", minimum=1),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"amount": _number(self.amount), "unit": self.unit, "per_days": self.per_days}


@dataclass(frozen=True)
class Regimen:
    phases: tuple[Phase, ...]
    dose_range: DoseRange | None = None
    quantity_limit: QuantityLimit | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Regimen:
        """Read a regimen mapping (a policy's rule or a request); bad data raises ValueError."""
        _require_mapping(data, "regimen", allowed={"phases", "dose_range", "quantity_limit"})
        phases = data.get("phases")
        if not isinstance(phases, list | tuple) or not phases:
            raise ValueError(
                f"regimen.phases must be a list of one or more phases; got {phases!r}."
            )
        read = tuple(Phase.from_dict(p, f"regimen.phases[{i}]") for i, p in enumerate(phases))
        units = {_fold(p.dose.unit) for p in read}
        if len(units) > 1:
            raise ValueError(
                "regimen.phases must share one dose unit; got "
                f"{', '.join(sorted({p.dose.unit for p in read}))}."
            )
        dose_range, limit = data.get("dose_range"), data.get("quantity_limit")
        regimen = cls(
            phases=read,
            dose_range=None
            if dose_range is None
            else DoseRange.from_dict(dose_range, "regimen.dose_range"),
            quantity_limit=None
            if limit is None
            else QuantityLimit.from_dict(limit, "regimen.quantity_limit"),
        )
        for what, other in (
            ("dose_range", regimen.dose_range),
            ("quantity_limit", regimen.quantity_limit),
        ):
            if other is not None and _fold(other.unit) not in units:
                raise ValueError(
                    f"regimen.{what}.unit must be the phases' dose unit "
                    f"({read[0].dose.unit}); got {other.unit!r}."
                )
        return regimen

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"phases": [p.to_dict() for p in self.phases]}
        if self.dose_range is not None:
            data["dose_range"] = self.dose_range.to_dict()
        if self.quantity_limit is not None:
            data["quantity_limit"] = self.quantity_limit.to_dict()
        return data

    @property
    def unit(self) -> str:
        return self.phases[0].dose.unit

    def describe(self) -> str:
        """E.g. "Loading: 300 mg intravenous at days 0 and 14 (initial only); then
        Maintenance: 600 mg intravenous every 6 calendar months from week 24"."""
        return "; then ".join(
            f"{p.name}: {p.describe()}" if p.name else p.describe() for p in self.phases
        )


def continuation_form(regimen: Regimen) -> Regimen | None:
    """What a continuation gives: the phases that are not initial_only, counted from the
    period's first day (a repeating phase's start offset dropped). None: no such phase."""
    phases = tuple(
        replace(p, schedule=replace(p.schedule, start=0, start_unit="day"))
        if p.schedule.repeating
        else p
        for p in regimen.phases
        if not p.initial_only
    )
    return replace(regimen, phases=phases) if phases else None


def on_path(regimen: Regimen, phase: str) -> Regimen | None:
    """The regimen a request on `phase` (initial | continuation) follows."""
    _check_phase(phase)
    return regimen if phase == "initial" else continuation_form(regimen)


@dataclass(frozen=True)
class ScheduledDose:
    when: date
    phase: int  # the index of its phase in the regimen on the path
    amount: Decimal | None  # None: a per-kg dose without a weight


@dataclass(frozen=True)
class Quantity:
    """The doses in a period and their total; total_amount None when it cannot be known
    (a per-kg dose without the member's weight): `unknown` says why."""

    doses: int
    total_amount: Decimal | None
    unit: str
    unknown: str = ""


def scheduled_doses(
    regimen: Regimen, *, start: date, days: int, phase: str, weight_kg: Decimal | None = None
) -> list[ScheduledDose]:
    """Every dose of every phase in the period, by date (then phase)."""
    if days < 0:
        raise ValueError(f"days must not be negative; got {days}.")
    followed = on_path(regimen, phase)
    if followed is None:
        return []
    last = start + timedelta(days=days - 1)
    doses = [
        ScheduledDose(when, i, p.dose.for_weight(weight_kg))
        for i, p in enumerate(followed.phases)
        for when in p.schedule.dates(first=start, last=last)
        if start <= when
    ]
    return sorted(doses, key=lambda d: (d.when, d.phase))


def dose_dates(regimen: Regimen, *, start: date, days: int, phase: str) -> list[date]:
    """The dates of the doses in the period; a date appears once per dose given on it."""
    return [d.when for d in scheduled_doses(regimen, start=start, days=days, phase=phase)]


def authorized_quantity(
    regimen: Regimen,
    *,
    start: date,
    days: int,
    phase: str,
    weight_kg: Decimal | None = None,
) -> Quantity:
    """The doses and total amount of the phases that fall in the period."""
    doses = scheduled_doses(regimen, start=start, days=days, phase=phase, weight_kg=weight_kg)
    return _total(doses, regimen.unit)


def amount_for_doses(
    regimen: Regimen, doses: int, *, phase: str, weight_kg: Decimal | None = None
) -> Decimal | None:
    """The total of the first `doses` doses of the regimen on `phase`, in date order; None when
    the regimen gives fewer doses or an amount is unknown (a per-kg dose without a weight)."""
    if doses < 1:
        return None
    days = 366
    while True:
        found = scheduled_doses(
            regimen, start=date(2000, 1, 1), days=days, phase=phase, weight_kg=weight_kg
        )
        if len(found) >= doses or days > 40 * MAX_OFFSET_DAYS:
            break
        days *= 4
    chosen = found[:doses]
    if len(chosen) < doses or any(d.amount is None for d in chosen):
        return None
    return sum((d.amount for d in chosen if d.amount is not None), Decimal(0))


def _total(doses: list[ScheduledDose], unit: str) -> Quantity:
    if any(d.amount is None for d in doses):
        return Quantity(
            doses=len(doses),
            total_amount=None,
            unit=unit,
            unknown="A dose is given per kilogram and the member's weight is not known.",
        )
    total = sum((d.amount for d in doses if d.amount is not None), Decimal(0))
    return Quantity(doses=len(doses), total_amount=total, unit=unit)


# ---- differences -------------------------------------------------------------------------


def regimen_differences(
    requested: Regimen, rule: Regimen, *, phase: str = "initial", start: date | None = None
) -> list[str]:
    """Plain-language mismatches between a request on `phase` and the policy's rule; [] if
    none. A continuation is compared with the rule's continuation form (continuation_form),
    so a request for only the maintenance phase matches."""
    expected = on_path(rule, phase)
    if expected is None:
        return ["The policy gives no doses on a continuation of therapy."]
    initial_only: list[str] = []
    if phase == "continuation":
        # A request repeating an initial-only phase (loading doses) is named as such, then
        # left out, so the phases after it are compared with the rule's continuation phases.
        repeated = [
            p
            for p in requested.phases
            if any(_same_phase(p, r) for r in rule.phases if r.initial_only)
        ]
        initial_only = [
            f"{_phase_name(p, requested.phases.index(p))}: "
            f"{p.describe().removesuffix(' (initial only)')} is given on an initial request "
            "only, not on a continuation."
            for p in repeated
        ]
        requested = (
            Regimen(
                phases=tuple(p for p in requested.phases if p not in repeated),
                dose_range=requested.dose_range,
                quantity_limit=requested.quantity_limit,
            )
            if repeated
            else requested
        )
    # A range is read as alternative strengths only when the rule gives one dose throughout
    # (a class policy's drugs); with phases of different doses it only bounds each dose.
    amounts = {(p.dose.amount, p.dose.per_kg) for p in rule.phases}
    alternatives = rule.dose_range if len(amounts) == 1 else None
    differences = initial_only + _phase_differences(requested.phases, expected.phases, alternatives)
    differences += _range_differences(requested, rule)
    differences += _limit_differences(requested, rule, phase=phase, start=start)
    return differences


def _phase_differences(
    requested: tuple[Phase, ...], rule: tuple[Phase, ...], bounds: DoseRange | None = None
) -> list[str]:
    """Phase by phase. A fixed dose other than the rule's is no difference when it lies in
    `bounds`, the range of alternative strengths (a class policy whose drugs are dosed
    differently); _range_differences names a dose outside the range."""
    differences = []
    for i, (asked, allowed) in enumerate(zip(requested, rule, strict=False)):
        name = _phase_name(allowed, i)
        if not (_same_dose(asked.dose, allowed.dose) or _in_range(asked.dose, bounds)):
            differences.append(
                f"{name}: requested {asked.dose.describe()} per dose; "
                f"the policy allows {allowed.dose.describe()}."
            )
        if not _same(asked.route, allowed.route):
            differences.append(
                f"{name}: requested {asked.route} administration; "
                f"the policy allows {allowed.route}."
            )
        if asked.schedule != allowed.schedule:
            differences.append(
                f"{name}: requested doses {asked.schedule.describe()}; "
                f"the policy allows {allowed.schedule.describe()}."
            )
    for i, extra in enumerate(requested[len(rule) :], start=len(rule)):
        differences.append(
            f"Requested phase {_phase_name(extra, i).lower()} ({extra.describe()}) "
            "is not in the policy."
        )
    for i, missing in enumerate(rule[len(requested) :], start=len(requested)):
        differences.append(
            f"The policy's {_phase_name(missing, i).lower()} ({missing.describe()}) "
            "is missing from the request."
        )
    return differences


def _range_differences(requested: Regimen, rule: Regimen) -> list[str]:
    bounds = rule.dose_range
    if bounds is None:
        return []
    differences = []
    for i, asked in enumerate(requested.phases):
        amount = asked.dose.amount if asked.dose.amount is not None else asked.dose.max
        if amount is None or not _same(asked.dose.unit, bounds.unit):
            continue
        if (bounds.min is not None and amount < bounds.min) or (
            bounds.max is not None and amount > bounds.max
        ):
            differences.append(
                f"{_phase_name(asked, i)}: {_number(amount)} {asked.dose.unit} per dose is "
                f"outside the policy's dose range ({_range(bounds)})."
            )
    return differences


def _limit_differences(
    requested: Regimen, rule: Regimen, *, phase: str, start: date | None
) -> list[str]:
    limit = rule.quantity_limit
    if limit is None:
        return []
    quantity = authorized_quantity(
        requested, start=start or date(2000, 1, 1), days=limit.per_days, phase=phase
    )
    if quantity.total_amount is None or not _same(quantity.unit, limit.unit):
        # A limit that cannot be counted is never taken as kept: the reviewer checks it.
        why = quantity.unknown or f"the request is in {quantity.unit}, the limit in {limit.unit}"
        return [
            f"The policy's limit of {_number(limit.amount)} {limit.unit} in {limit.per_days} "
            f"days cannot be checked: {why.rstrip('.')}."
        ]
    if quantity.total_amount > limit.amount:
        return [
            f"Requested {_number(quantity.total_amount)} {quantity.unit} in {limit.per_days} "
            f"days; the policy's limit is {_number(limit.amount)} {limit.unit}."
        ]
    return []


def _same_phase(requested: Phase, rule: Phase) -> bool:
    return (
        _same_dose(requested.dose, rule.dose)
        and _same(requested.route, rule.route)
        and requested.schedule == rule.schedule
    )


def _in_range(requested: Dose, bounds: DoseRange | None) -> bool:
    if bounds is None or requested.amount is None or not _same(requested.unit, bounds.unit):
        return False
    return (bounds.min is None or requested.amount >= bounds.min) and (
        bounds.max is None or requested.amount <= bounds.max
    )


def _same_dose(requested: Dose, rule: Dose) -> bool:
    """A request states a dose; "5 mg/kg" (amount 5, unit mg/kg) is the rule's per_kg 5 mg,
    whatever the rule's max (a cap on the amount, not a different dose)."""
    unit = requested.unit.strip()
    if requested.amount is not None and rule.per_kg is not None and unit.endswith("/kg"):
        return requested.amount == rule.per_kg and _same(unit[: -len("/kg")], rule.unit)
    same = (requested.amount, requested.per_kg, requested.max) == (
        rule.amount,
        rule.per_kg,
        rule.max,
    )
    return same and _same(requested.unit, rule.unit)


def _phase_name(phase: Phase, index: int) -> str:
    return phase.name or f"Phase {index + 1}"


def _range(bounds: DoseRange) -> str:
    if bounds.min is not None and bounds.max is not None:
        return f"{_number(bounds.min)} to {_number(bounds.max)} {bounds.unit}"
    if bounds.min is not None:
        return f"at least {_number(bounds.min)} {bounds.unit}"
    return f"at most {_number(bounds.max)} {bounds.unit}"


def _same(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def _fold(text: str) -> str:
    return text.strip().casefold()


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _days(count: int, unit: str) -> int:
    return count * 7 if unit == "week" else count * 30 if unit == "calendar_month" else count


# ---- reading -----------------------------------------------------------------------------


def _check_phase(phase: str) -> None:
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}.")


def _require_mapping(data: Any, what: str, *, allowed: set[str]) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a mapping; got {type(data).__name__}.")
    unknown = sorted(str(k) for k in set(data) - allowed)
    if unknown:
        raise ValueError(f"{what} has unknown key(s): {', '.join(unknown)}.")


def _int(value: Any, what: str, *, minimum: int) -> int:
    # bool is an int in Python; `every: true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}; got {value}.")
    return value


def _amount(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f'{what} must be a number such as "20"; got {value!r}.')
    try:
        # str() first so a YAML float 0.1 becomes Decimal("0.1"), not its binary expansion.
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f'{what} must be a number such as "20"; got {value!r}.') from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"{what} must be a positive number; got {value!r}.")
    return amount


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string; got {value!r}.")
    return value.strip()


def _offsets(value: Any, what: str, unit: str) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"{what} must be a list of one or more offsets; got {value!r}.")
    offsets = tuple(_int(o, what, minimum=0) for o in value)
    if list(offsets) != sorted(set(offsets)):
        raise ValueError(f"{what} must be distinct and ascending; got {list(offsets)}.")
    if _days(offsets[-1], unit) > MAX_OFFSET_DAYS:
        raise ValueError(f"{what} must be within ten years.")
    return offsets
