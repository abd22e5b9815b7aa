"""The rule a computed check applies, in plain words, for the analyst who edits the check.

The sentence is written from the check's own params (defaults filled in as the check fills
them) and says what the check's function does, so an analyst reads "Suggests met when the
latest LDL-C within 90 days before the request is above 190 mg/dL." rather than a mapping.
While the analyst types, params are often incomplete or wrong: a missing or unusable value
shows as "…" and the rest of the sentence still reads, so this never raises. Whether the
params are usable is check_problems' business, not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .checks import BASELINES, CHECK_DURATION_UNITS, CHECKS, OPS, band_text, duration_text
from .numbers import plain_number

GAP = "…"  # a value still to be given (or not usable as given)


def check_rule_text(name: str, params: Mapping, negate: bool, lists: Mapping) -> str:
    """The check's rule as sentences starting "Suggests met when …"; negate gives the
    opposite rule the check then applies (met and not met swap; the rest stays)."""
    if not isinstance(name, str) or not name.strip():
        return "No check chosen yet."
    if name not in CHECKS:
        return f"{name} is not a known check."
    words = _WORDS.get(name)
    if words is None:  # a check added without its words (the tests catch this)
        return f"Suggests an answer by the check {name}."
    return words(_Given(name, params, lists), negate is True)


class _Given:
    """The params of one check, read leniently: each value as words, or GAP."""

    def __init__(self, name: str, params: Any, lists: Any) -> None:
        self.params: Mapping[str, Any] = params if isinstance(params, Mapping) else {}
        self.lists: Mapping[str, Any] = lists if isinstance(lists, Mapping) else {}
        self.spec = CHECKS[name].params

    def raw(self, key: str) -> Any:
        """The value given, or the check's default when none is given (None counts as none,
        as resolved_params has it)."""
        value = self.params.get(key)
        if value is None and key in self.spec:
            return self.spec[key].default
        return value

    def count(self, key: str) -> int | None:
        return _count(self.raw(key))

    def number(self, key: str) -> str:
        return _figure(self.raw(key)) or GAP

    def text(self, key: str) -> str:
        value = self.raw(key)
        return " ".join(value.split()) if isinstance(value, str) and value.strip() else GAP

    def list_title(self, key: str = "list") -> str:
        """The list's title, as the check's reasons name it; the key while it names no list."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            return GAP
        entry = self.lists.get(value)
        title = entry.get("title") if isinstance(entry, Mapping) else None
        return str(title).strip() if title and str(title).strip() else value

    def op_words(self, key: str = "op") -> str:
        return _op_words(self.raw(key))

    def duration(self, key: str) -> str:
        return _duration(self.raw(key))

    def strings(self, key: str) -> list[str]:
        value = self.raw(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, Sequence):
            return []
        return [" ".join(v.split()) for v in value if isinstance(v, str) and v.strip()]


def _count(value: Any) -> int | None:
    # bool is an int in Python; `years: true` is a mistake, not 1.
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok else None


def _figure(value: Any) -> str | None:
    """A number as written ("190", "2.5"), or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return plain_number(number) if number.is_finite() else None


def _op_words(op: Any) -> str:
    return OPS[op][1] if isinstance(op, str) and op in OPS else GAP


def _duration(value: Any) -> str:
    if not isinstance(value, Mapping):
        return GAP
    count, unit = _count(value.get("count")), value.get("unit")
    known_unit = isinstance(unit, str) and unit in CHECK_DURATION_UNITS
    if count is not None and count >= 1 and known_unit:
        return duration_text({"count": count, "unit": unit})
    if count is not None and count >= 1:
        return f"{count} {GAP}"
    if known_unit:  # the unit as duration_text words a count of more than one
        return f"{GAP} {duration_text({'count': 2, 'unit': unit}).split(' ', 1)[1]}"
    return GAP


def _plural(count: int | None, one: str, many: str) -> str:
    return f"{GAP} {many}" if count is None else f"{count} {one if count == 1 else many}"


def _either(words: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c"; GAP for none."""
    if not words:
        return GAP
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _sentence(clause: str, *notes: str) -> str:
    return " ".join([f"Suggests met when {clause}.", *(note for note in notes if note)])


# ---- one function per check ----------------------------------------------------------------


def _age_at_least(given: _Given, negate: bool) -> str:
    years = _plural(given.count("years"), "year", "years")
    if negate:
        return _sentence(f"the member is NOT yet {years} old on the request date")
    return _sentence(f"the member is at least {years} old on the request date")


def _age_under(given: _Given, negate: bool) -> str:
    years = _plural(given.count("years"), "year", "years")
    nope = "NOT " if negate else ""
    return _sentence(f"the member is {nope}under {years} old on the request date")


def _specialty_in(given: _Given, negate: bool) -> str:
    title = given.list_title()
    if given.raw("allow_consultation") is True:
        if negate:
            clause = (
                "NEITHER the prescriber's specialty NOR that of a specialist the prescriber "
                f"consulted is in {title}"
            )
        else:
            clause = (
                "the prescriber's specialty, or that of a specialist the prescriber "
                f"consulted, is in {title}"
            )
        return _sentence(clause)
    return _sentence(f"the prescriber's specialty is {'NOT ' if negate else ''}in {title}")


def _no_concurrent_agents(given: _Given, negate: bool) -> str:
    title = given.list_title()
    reference = given.text("reference")
    if reference != GAP:
        title = f"{title} or the reference list {reference}"
    grace = given.count("switch_grace_days")
    if grace == 0:
        past = "past the request date"
    else:
        past = f"more than {_plural(grace, 'day', 'days')} past the request date"
    notes = (
        "The requested drug itself does not count, and a continuing medication it cannot "
        "classify suggests not documented."
    )
    if negate:
        clause = (
            f"a current medication is an agent from {title} that continues {past} "
            "(concurrent use; one that stops by then is a switch)"
        )
    else:
        clause = (
            f"no current medication is an agent from {title} that continues {past} "
            "(one that stops by then is a switch)"
        )
    return _sentence(clause, notes)


def _months_on_drug_at_least(given: _Given, negate: bool) -> str:
    months = _plural(given.count("months"), "whole calendar month", "whole calendar months")
    if negate:
        return _sentence(
            f"the member has NOT been on the requested drug for {months} on the request date, "
            "counted from the therapy start date and the authorizations the request continues"
        )
    return _sentence(
        f"the member has been on the requested drug for at least {months} on the request "
        "date, counted from the therapy start date and the authorizations the request continues"
    )


def _outcomes(given: _Given) -> str:
    # The checks read "failed" as "ineffective" (checks._outcome).
    words = [
        "failed (ineffective)" if word.casefold() == "failed" else word
        for word in given.strings("outcomes")
    ]
    return f"an outcome of {_either(words)}"


def _how_many(count: int | None, negate: bool) -> tuple[str, bool]:
    """The count's words ("at least one", "fewer than 2", ...) and whether they are plural."""
    if count is None:
        return ("fewer than" if negate else "at least") + f" {GAP}", True
    if count == 1:
        return ("NO" if negate else "at least one"), False
    return (f"fewer than {count}" if negate else f"at least {count}"), True


def _tried_and_failed_at_least(given: _Given, negate: bool) -> str:
    how_many, many = _how_many(given.count("count"), negate)
    title, outcomes = given.list_title(), _outcomes(given)
    if many:
        clause = f"{how_many} different agents from {title} were tried, each with {outcomes}"
    else:
        clause = f"{how_many} agent from {title} was tried with {outcomes}"
    return _sentence(clause, "No prior therapy listed gives no suggestion." if negate else "")


def _tried_at_least(given: _Given, negate: bool) -> str:
    how_many, many = _how_many(given.count("count"), negate)
    title, outcomes = given.list_title(), _outcomes(given)
    trial = f"for at least {given.duration('min_duration')}"
    if given.raw("min_dose") is not None:
        dose_unit = given.raw("dose_unit")
        unit = f" {dose_unit.strip()}" if isinstance(dose_unit, str) and dose_unit.strip() else ""
        trial += f" at {given.number('min_dose')}{unit} or more"
    if many:
        clause = (
            f"{how_many} different agents from {title} were each tried {trial}, with {outcomes}"
        )
    else:
        clause = f"{how_many} agent from {title} was tried {trial}, with {outcomes}"
    notes = []
    if "ongoing" in (word.casefold() for word in given.strings("outcomes")):
        notes.append("An ongoing trial counts up to the request date.")
    notes.append(
        "A trial whose dates or dose are unknown cannot count; when such trials could make up "
        "the number, it suggests not documented."
    )
    if negate:
        notes.append("No prior therapy listed gives no suggestion.")
    return _sentence(clause, *notes)


def _lab_value(given: _Given, negate: bool) -> str:
    lab = given.text("lab")
    unit = given.raw("unit")
    unit = f" {unit.strip()}" if isinstance(unit, str) and unit.strip() else ""
    within = given.raw("within")
    subject = f"the latest {lab}"
    if within is not None:
        subject += f" within {_duration(within)} before the request"
    notes = []
    max_age = given.count("max_age_days")
    if max_age is not None:
        notes.append(
            f"A latest result older than {_plural(max_age, 'day', 'days')}, or undated, "
            "gives no suggestion."
        )
    bands = given.raw("thresholds")
    if bands is not None:
        thresholds = "; ".join(_band_words(band, unit) for band in _as_list(bands)) or GAP
        verb = "does NOT meet" if negate else "meets"
        clause = (
            f"{subject} {verb} the threshold for the member's age on the request date "
            f"({thresholds})"
        )
        return _sentence(clause, *notes)
    nope = "NOT " if negate else ""
    clause = f"{subject} is {nope}{given.op_words()} {given.number('value')}{unit}"
    return _sentence(clause, *notes)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _band_words(band: Any, unit: str) -> str:
    if not isinstance(band, Mapping):
        return GAP
    ages = {key: _count(band.get(key)) for key in ("min_age", "max_age")}
    figure = _figure(band.get("value")) or GAP
    return f"{_op_words(band.get('op'))} {figure}{unit} for {band_text(ages)}"


def _events_at_least(given: _Given, negate: bool) -> str:
    how_many, many = _how_many(given.count("count"), negate)
    event, window = given.text("event"), given.duration("within")
    if many:
        clause = f"{how_many} {event} events are dated within {window} before the request"
    else:
        clause = f"{how_many} {event} event is dated within {window} before the request"
    return _sentence(clause, "No events listed gives no suggestion." if negate else "")


def _percent_change(given: _Given, negate: bool) -> str:
    baseline = given.raw("baseline")
    if baseline == BASELINES[0]:
        start = "the earliest result"
    elif baseline == BASELINES[1]:
        start = "the last result on or before the therapy start date"
    else:
        start = GAP
    nope = "NOT " if negate else ""
    clause = (
        f"the change in {given.text('lab')} from {start} to the latest, in percent of "
        f"{'that result' if start != GAP else GAP}, is {nope}{given.op_words()} "
        f"{given.number('percent')}%"
    )
    return _sentence(clause, "A fall is negative; the change is rounded to one decimal place.")


def _bmi_at_least(given: _Given, negate: bool) -> str:
    nope = "NOT " if negate else ""
    return _sentence(
        "the BMI from the member's weight and height, to one decimal place, is "
        f"{nope}at least {given.number('value')}"
    )


def _diagnosis_code_in(given: _Given, negate: bool) -> str:
    codes = _either(given.strings("codes"))
    if negate:
        return _sentence(
            f"NO diagnosis code of the request is, or falls under, {codes}",
            "No diagnosis codes listed gives no suggestion.",
        )
    return _sentence(f"a diagnosis code of the request is, or falls under, {codes}")


def _diagnosis_suggests(given: _Given, negate: bool) -> str:
    """Negated, each code suggests the other answer, so the groups swap."""
    groups: dict[str, list[str]] = {"met": [], "not_met": []}
    codes = given.raw("codes")
    for code, entry in codes.items() if isinstance(codes, Mapping) else ():
        entry = entry if isinstance(entry, Mapping) else {}
        answer, meaning = entry.get("answer"), entry.get("meaning")
        if answer not in groups:
            continue
        if negate:
            answer = "not_met" if answer == "met" else "met"
        code_text = " ".join(code.split()) if isinstance(code, str) and code.strip() else GAP
        if isinstance(meaning, str) and meaning.strip():
            code_text += f" ({' '.join(meaning.split())})"
        groups[answer].append(code_text)
    met, not_met = _either(groups["met"]), _either(groups["not_met"])
    if groups["met"] and groups["not_met"]:
        text = (
            f"Suggests met when a diagnosis code falls under {met}, and not met when one "
            f"falls under {not_met}."
        )
    elif groups["not_met"]:
        text = f"Suggests not met when a diagnosis code falls under {not_met}."
    else:
        text = f"Suggests met when a diagnosis code falls under {met}."
    notes = [
        "A code under none of these suggests nothing; codes that point different ways suggest "
        "not documented."
    ]
    source = given.text("source")
    if source != GAP:
        notes.append(f"Meanings from {source}.")
    return " ".join([text, *notes])


_WORDS: Mapping[str, Callable[[_Given, bool], str]] = {
    "age_at_least": _age_at_least,
    "specialty_in": _specialty_in,
    "no_concurrent_agents": _no_concurrent_agents,
    "months_on_drug_at_least": _months_on_drug_at_least,
    "tried_and_failed_at_least": _tried_and_failed_at_least,
    "lab_value": _lab_value,
    "age_under": _age_under,
    "events_at_least": _events_at_least,
    "tried_at_least": _tried_at_least,
    "percent_change": _percent_change,
    "bmi_at_least": _bmi_at_least,
    "diagnosis_code_in": _diagnosis_code_in,
    "diagnosis_suggests": _diagnosis_suggests,
}
