"""Suggested answers for computable leaves, from the facts of a request.

A suggestion is never a decision: the reviewer confirms or overrides it. A check returns None
when the facts it needs are missing, so the leaf stays for the reviewer to answer.

Conventions:
- Age is taken on the request date; turning 18 that day counts as 18. Someone born on
  29 February has their birthday on 1 March in common years (born 2008-02-29: 17 on
  2026-02-28, 18 on 2026-03-01).
- Whole calendar months: n months have passed once the end date reaches the start date moved
  n calendar months on, clamped to month end (2026-01-31 + 1 month = 2026-02-28).
- Names (specialties, medications, therapies) match a list item when the item's name, generic
  or a synonym appears as a whole word or phrase, case-insensitively; "®", "™" and "©" are
  ignored and "Brandone/Brandtwo" names both "Brandone" and "Brandtwo". A trailing salt word
  may be left out ("<drug> acetate" matches "<drug>"), and strength and form around the name
  do not matter ("<Brand> 20 mg/mL", "<drug> 0.5 mg cap").
- A computed check only suggests, and what it cannot recognise it never calls met: a current
  medication the concurrent-use check cannot classify makes its suggestion "not documented".
- Diagnosis codes match case-insensitively, ignoring spaces and dots, when the code equals a
  listed code or lies under it (G35 covers G35, G35.A and G35A).
- A window `within: {count, unit}` (unit day | week | calendar_month | year) ends on the
  request date and starts count units before it, both days included: 90 days before
  2026-04-01 starts on 2026-01-01; 1 calendar_month before 2026-03-31 starts on 2026-02-28;
  a year is 12 calendar months. Anything dated after the request date is outside it.
- A duration `min_duration: {count, unit}` has passed once the end date reaches the start
  moved on by it (the same calendar-month rule), so 3 calendar months from 2026-01-31 end on
  2026-04-30.
- Figures are Decimals, never floats. A percent change and a BMI are computed exactly, then
  rounded half up to one decimal place; the comparison is made on that rounded figure, the
  one the reason shows (BMI 29.96 is 30.0 and is "at least 30").
- Time on the drug runs unbroken to the request date, from the therapy start the request
  states and through the periods of the authorizations it continues (Facts.authorized_periods,
  each counted up to the request date; one that starts the day after another ends joins
  it). A history that ends before the request date with no therapy start given is "not
  documented", never met.
- Prior-therapy outcomes: "failed" is read as "ineffective".
- negate: true on a check turns its met into not met and back; not documented and no
  suggestion stay as they are, and the reason says the criterion is the check's opposite.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .dosing import add_months
from .numbers import one_place
from .references import ReferenceList, References, item_label
from .tree import Answer, Check, Node, applicable_leaves


@dataclass(frozen=True)
class Medication:
    name: str
    stop_date: date | None = None  # None: continues


@dataclass(frozen=True)
class LabResult:
    name: str
    value: Decimal
    unit: str = ""
    date: date | None = None
    loinc: str = ""


@dataclass(frozen=True)
class PriorTherapy:
    name: str
    outcome: str = ""  # ineffective | intolerant | contraindicated | ongoing ("failed" too)
    dose: Decimal | None = None
    dose_unit: str = ""
    start: date | None = None
    end: date | None = None  # None: ongoing, or not known


@dataclass(frozen=True)
class AuthorizedPeriod:
    """A period the plan authorized the requested drug for, both days included: the history
    a continuation links to (the caller builds it; the engine only reads it)."""

    start: date
    end: date
    reference: str = ""  # the authorization's number, for the reason


@dataclass(frozen=True)
class ClinicalEvent:
    kind: str  # free text, e.g. "relapse"
    date: date
    note: str = ""


def bmi(weight_kg: Decimal | None, height_cm: Decimal | None) -> Decimal | None:
    """Body-mass index in kg/m², to one decimal (half up); None unless both are given."""
    if weight_kg is None or height_cm is None or weight_kg <= 0 or height_cm <= 0:
        return None
    metres = Decimal(height_cm) / 100
    return one_place(Decimal(weight_kg) / (metres * metres))


@dataclass(frozen=True)
class Facts:
    request_date: date
    member_dob: date | None = None
    prescriber_specialty: str = ""
    consulting_specialty: str = ""
    consulting_name: str = ""
    consult_date: date | None = None
    medications: tuple[Medication, ...] = ()
    therapy_start_date: date | None = None
    labs: tuple[LabResult, ...] = ()
    prior_therapies: tuple[PriorTherapy, ...] = ()
    diagnosis_codes: tuple[str, ...] = ()
    # The names of the drug being requested (the policy's drug and its generic): a
    # continuation lists it among the current medications, and it is no concurrent agent.
    requested_drug: tuple[str, ...] = ()
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    events: tuple[ClinicalEvent, ...] = ()
    # The periods of the authorizations this request continues (its chain), any order.
    authorized_periods: tuple[AuthorizedPeriod, ...] = ()

    @property
    def bmi(self) -> Decimal | None:
        return bmi(self.weight_kg, self.height_cm)


@dataclass(frozen=True)
class Suggestion:
    answer: Answer
    reason: str  # one plain sentence with the figures
    # False when this suggestion rests on an absence (nothing listed), which no check may
    # take as evidence even if its kind of check usually can.
    stands_as_evidence: bool = True


ListItem = Mapping[str, Any]
Lists = Mapping[str, Mapping[str, Any]]


# ---- dates ---------------------------------------------------------------------------------


def age_on(dob: date, on: date) -> int:
    # Tuple comparison makes a 29 February birthday fall on 1 March in common years.
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end; negative when end is before start."""
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1


# ---- name matching -------------------------------------------------------------------------

_MARKS = re.compile("[®™©]")


def _normalize(text: str) -> str:
    return " ".join(_MARKS.sub(" ", text).replace("/", " ").casefold().split())


# Salt words a medication list often leaves out ("<drug>" for "<drug> acetate"). Only anions:
# a cation such as potassium is the active part of its salt, and a "fumarate" ester may be the
# drug itself, so neither is ever dropped.
_SALTS = frozenset(
    {"acetate", "hydrochloride", "hcl", "mesylate", "besylate", "maleate", "tartrate"}
    | {"succinate", "sulfate", "phosphate", "citrate", "chloride"}
)
_CATIONS = frozenset({"sodium", "potassium", "calcium", "magnesium", "zinc", "ferrous"})


def _terms(item: ListItem) -> list[str]:
    """The words that name an item: its name, generic and synonyms, split on "/", each also
    without a trailing salt word."""
    raw = [item.get("name") or "", item.get("generic") or "", *(item.get("synonyms") or [])]
    terms = []
    for text in raw:
        for part in _MARKS.sub(" ", str(text)).split("/"):
            if term := _normalize(part):
                terms.append(term)
                *base, last = term.split()
                if base and last in _SALTS and base[-1] not in _CATIONS:
                    terms.append(" ".join(base))
    return terms


def _mentions(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", _normalize(text)) is not None


def matches_item(text: str, item: ListItem) -> bool:
    return any(_mentions(text, term) for term in _terms(item))


def _items(lists: Lists, key: str) -> list[ListItem]:
    return list(lists[key].get("items") or [])


def _title(lists: Lists, key: str) -> str:
    return str(lists[key].get("title") or key)


# ---- the checks ----------------------------------------------------------------------------


def _age_at_least(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    if facts.member_dob is None:
        return None
    age = age_on(facts.member_dob, facts.request_date)
    reason = f"{age} years old on {facts.request_date} (born {facts.member_dob})"
    if age >= params["years"]:
        return Suggestion(Answer.MET, f"{reason}.")
    return Suggestion(Answer.NOT_MET, f"{reason}; at least {params['years']} required.")


def _specialty_in(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    items, title = _items(lists, params["list"]), _title(lists, params["list"])
    prescriber, consultant = facts.prescriber_specialty.strip(), facts.consulting_specialty.strip()
    if prescriber and _any_item(prescriber, items):
        return Suggestion(Answer.MET, f"Prescriber specialty {prescriber} is in {title}.")
    if params["allow_consultation"] and consultant and _any_item(consultant, items):
        who = f"{facts.consulting_name} ({consultant})" if facts.consulting_name else consultant
        when = f" on {facts.consult_date}" if facts.consult_date else ""
        return Suggestion(Answer.MET, f"Prescribed in consultation with {who}{when}.")
    if not prescriber:
        return None
    if params["allow_consultation"] and consultant:
        return Suggestion(
            Answer.NOT_MET,
            f"Neither prescriber specialty {prescriber} nor consultant specialty {consultant} "
            f"is in {title}.",
        )
    return Suggestion(Answer.NOT_MET, f"Prescriber specialty {prescriber} is not in {title}.")


def _any_item(text: str, items: Iterable[ListItem]) -> bool:
    return any(matches_item(text, item) for item in items)


def _no_concurrent_agents(
    params: Mapping[str, Any], facts: Facts, lists: Lists
) -> Suggestion | None:
    """Classify every current medication: an agent (the policy's list or the reference list)
    that continues past the switch grace is concurrent use; the requested drug and known
    non-agents are set aside; anything else continuing is named for the reviewer to verify."""
    reference: ReferenceList | None = params["reference"]
    title = _title(lists, params["list"])
    if reference is not None:
        title = f"{title} or {reference.title}"
    requested = [_normalize(name) for name in facts.requested_drug if name.strip()]
    agents = [
        item
        for item in [*_items(lists, params["list"]), *(reference.agents if reference else ())]
        # The reference names the requested drug too; renewing it is not concurrent use.
        if not any(term in requested for term in _terms(item))
    ]
    not_agents = reference.not_agents if reference else ()
    latest_switch = facts.request_date + timedelta(days=params["switch_grace_days"])

    listed, unclassified, notes = [], [], []
    for m in _one_drug_each(facts.medications):
        continues = m.stop_date is None or m.stop_date > latest_switch
        if _any_item(m.name, agents):
            listed.append(m)
        elif any(_mentions(m.name, name) for name in requested):
            notes.append(f"{m.name} is the requested drug")
        elif known := next((i for i in not_agents if matches_item(m.name, i)), None):
            what = f": {known['use']}" if known.get("use") else ""
            notes.append(f"{m.name} is known not to be one ({item_label(known)}{what})")
        elif continues:
            unclassified.append(m)
        else:
            notes.append(f"{_switch(m, facts.request_date)}, within the switch grace")
    concurrent = [m for m in listed if m.stop_date is None or m.stop_date > latest_switch]
    switches = [f"{_switch(m, facts.request_date)} (switch)" for m in listed if m not in concurrent]

    if concurrent:
        named = "; ".join(_medication_status(m) for m in concurrent)
        return Suggestion(Answer.NOT_MET, f"Concurrent use of an agent from {title}: {named}.")
    if unclassified:
        names = "; ".join(m.name for m in unclassified)
        it = "it is" if len(unclassified) == 1 else "each is"
        return Suggestion(
            Answer.NOT_DOCUMENTED,
            f"Cannot classify {names}: verify whether {it} one of {title}.",
        )
    if not facts.medications:
        # Nothing listed may mean nothing was filled in: a suggestion, never the evidence.
        return Suggestion(
            Answer.MET, "No current medications are listed.", stands_as_evidence=False
        )
    return Suggestion(
        Answer.MET,
        f"Every listed medication is classified and none from {title} continues: "
        f"{'; '.join([*switches, *notes])}.",
    )


def _one_drug_each(medications: Iterable[Medication]) -> list[Medication]:
    """A row naming several drugs ("OldDrugY, NewDrugX" or "A + B") as one row per drug, so
    a known drug in a row cannot hide an unknown one beside it."""
    return [
        Medication(part.strip(), m.stop_date)
        for m in medications
        # A comma before a digit is a thousands separator ("50,000 IU"), not a list.
        for part in re.split(r"[;+\n]|,(?!\d)", m.name)
        if part.strip()
    ]


def _switch(medication: Medication, request_date: date) -> str:
    verb = "stopped" if medication.stop_date and medication.stop_date < request_date else "stops"
    return f"{medication.name} {verb} on {medication.stop_date}"


def _medication_status(medication: Medication) -> str:
    if medication.stop_date is None:
        return f"{medication.name} continues"
    return f"{medication.name} continues until {medication.stop_date}"


def continuous_therapy_start(
    therapy_start: date | None, periods: Iterable[AuthorizedPeriod], request_date: date
) -> date | None:
    """The first day of the unbroken run of therapy that reaches the request date: the run
    from the stated therapy start to the request date, joined to every authorized period that
    overlaps or abuts it (the day after one ends is the first of the next), each counted only
    up to the request date. None when nothing reaches the request date (a history that ended
    before it says nothing of therapy on it)."""
    spans = [(p.start, min(p.end, request_date)) for p in periods if p.start <= p.end]
    spans = [(start, end) for start, end in spans if start <= request_date]
    if therapy_start is not None and therapy_start <= request_date:
        spans.append((therapy_start, request_date))
    reaching = [start for start, end in spans if end >= request_date]
    if not reaching:
        return None
    run_start = min(reaching)
    joined = True
    while joined:
        joined = False
        for start, end in spans:
            if start < run_start and end >= run_start - timedelta(days=1):
                run_start, joined = start, True
    return run_start


def _months_on_drug_at_least(
    params: Mapping[str, Any], facts: Facts, lists: Lists
) -> Suggestion | None:
    start = facts.therapy_start_date
    periods = facts.authorized_periods
    if start is None and not periods:
        return None
    if start is not None and start > facts.request_date:
        return Suggestion(
            Answer.NOT_MET,
            f"Therapy starts on {start}, after the request date {facts.request_date}.",
        )
    run_start = continuous_therapy_start(start, periods, facts.request_date)
    history = "; ".join(
        f"authorized {p.reference + ' ' if p.reference else ''}{p.start} to {p.end}"
        for p in sorted(periods, key=lambda p: p.start)
    )
    if run_start is None:
        # Only a history that ended before the request date: whether the member is on the
        # drug now is not known, so this is never met, nor not met on the history alone.
        return Suggestion(
            Answer.NOT_DOCUMENTED,
            f"No therapy start is given and the linked authorizations ({history}) end before "
            f"the request date {facts.request_date}.",
            stands_as_evidence=False,
        )
    months = months_between(run_start, facts.request_date)
    since = [f"therapy start {start} as the request states"] if start else []
    if history:
        since.append(history)
    reason = (
        f"{months} whole months on therapy on {facts.request_date} "
        f"(since {run_start}: {'; '.join(since)})"
        if periods
        else f"{months} whole months on therapy on {facts.request_date} (started {start})"
    )
    if months >= params["months"]:
        return Suggestion(Answer.MET, f"{reason}.")
    return Suggestion(Answer.NOT_MET, f"{reason}; at least {params['months']} required.")


def _tried_and_failed_at_least(
    params: Mapping[str, Any], facts: Facts, lists: Lists
) -> Suggestion | None:
    items, title = _items(lists, params["list"]), _title(lists, params["list"])
    outcomes = {_outcome(o) for o in params["outcomes"]}
    qualifying = [t for t in facts.prior_therapies if _outcome(t.outcome) in outcomes]
    tried = [item for item in items if any(matches_item(t.name, item) for t in qualifying)]
    needed = params["count"]
    named = ", ".join(f"{t.name} ({t.outcome})" for t in qualifying if _any_item(t.name, tried))
    reason = (
        f"{len(tried)} agent(s) from {title} tried ({named or 'none listed'}); "
        f"at least {needed} required."
    )
    return Suggestion(Answer.MET if len(tried) >= needed else Answer.NOT_MET, reason)


def _outcome(text: str) -> str:
    outcome = " ".join(text.split()).casefold()
    return "ineffective" if outcome == "failed" else outcome


def _tried_at_least(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    """Trials of `count` different list items, each long enough, at or above the dose floor,
    with an allowed outcome. A trial whose dates or dose are unknown cannot count; when such
    trials could make up the number, the suggestion is "not documented"."""
    if not facts.prior_therapies:
        return None  # nothing listed may mean nothing was filled in
    items, title = _items(lists, params["list"]), _title(lists, params["list"])
    outcomes = {_outcome(o) for o in params["outcomes"]}
    duration: Mapping[str, Any] = params["min_duration"]
    floor = _decimal(params["min_dose"]) if params["min_dose"] is not None else None
    counted: dict[int, str] = {}  # list item's index -> the trial that counts for it
    open_items: dict[int, str] = {}  # could count, if what is unknown were known
    refused: list[str] = []
    for trial in facts.prior_therapies:
        index = next((i for i, item in enumerate(items) if matches_item(trial.name, item)), None)
        if index is None:
            continue
        if _outcome(trial.outcome) not in outcomes:
            problem, unknown = f"outcome {trial.outcome or 'not given'}", False
        else:
            problem, unknown = _trial_problem(trial, facts.request_date, duration, floor, params)
        if problem is None:
            counted.setdefault(index, _trial_text(trial))
        elif unknown:
            open_items.setdefault(index, f"{_trial_text(trial)}: {problem}")
            refused.append(f"{_trial_text(trial)}: {problem}")
        else:
            refused.append(f"{_trial_text(trial)}: {problem}")
    needed = params["count"]
    wanted = f"at least {needed} from {title}, each for at least {duration_text(duration)}"
    if floor is not None:
        wanted += f" at {params['min_dose']} {params['dose_unit']} or more".rstrip()
    reason = f"{len(counted)} qualifying trial(s) ({'; '.join(counted.values()) or 'none'})"
    if refused:
        reason += f"; not counted: {'; '.join(refused)}"
    reason += f"; {wanted} required."
    if len(counted) >= needed:
        return Suggestion(Answer.MET, reason)
    if len(counted) + len(set(open_items) - set(counted)) >= needed:
        return Suggestion(Answer.NOT_DOCUMENTED, reason)
    return Suggestion(Answer.NOT_MET, reason)


def _trial_problem(
    trial: PriorTherapy,
    request_date: date,
    duration: Mapping[str, Any],
    floor: Decimal | None,
    params: Mapping[str, Any],
) -> tuple[str | None, bool]:
    """Why the trial cannot count (None if it can), and whether that is for want of facts."""
    if trial.start is None:
        return "start date unknown", True
    end = trial.end
    if end is None:
        if _outcome(trial.outcome) != "ongoing":
            return "end date unknown", True
        end = request_date
    if end < trial.start:
        return f"ends ({end}) before it starts", False
    if end < _shift(trial.start, duration, +1):
        return f"lasted less than {duration_text(duration)}", False
    if floor is not None:
        if trial.dose is None:
            return "dose unknown", True
        if not _same_unit(trial.dose_unit, params["dose_unit"]):
            return f"dose in {trial.dose_unit or 'no unit'}, not {params['dose_unit']}", True
        if trial.dose < floor:
            return f"dose below {params['min_dose']} {params['dose_unit']}".rstrip(), False
    return None, False


def _trial_text(trial: PriorTherapy) -> str:
    parts = [trial.name]
    if trial.dose is not None:
        parts.append(f"{trial.dose} {trial.dose_unit}".strip())
    if trial.start is not None:
        parts.append(f"from {trial.start} to {trial.end or 'ongoing'}")
    if trial.outcome:
        parts.append(trial.outcome)
    return f"{parts[0]} ({', '.join(parts[1:])})" if len(parts) > 1 else parts[0]


OPS: Mapping[str, tuple[Callable[[Any, Any], bool], str]] = {
    ">=": (operator.ge, "at least"),
    ">": (operator.gt, "above"),
    "<=": (operator.le, "at most"),
    "<": (operator.lt, "below"),
}


def _same_unit(given: str, wanted: str) -> bool:
    return _normalize(given).replace(" ", "") == _normalize(wanted).replace(" ", "")


def _results(facts: Facts, lab: str) -> list[LabResult]:
    wanted = _normalize(lab)
    return [result for result in facts.labs if _normalize(result.name) == wanted]


def _lab_value(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    results = _results(facts, params["lab"])
    window = params["within"]
    if window is not None:
        start = _shift(facts.request_date, window, -1)
        results = [r for r in results if r.date and start <= r.date <= facts.request_date]
    if not results:
        return None
    # Undated results count as oldest: a dated result is the better evidence of "most recent".
    latest = max(results, key=lambda lab: lab.date or date.min)
    unit = params["unit"]
    if unit and not _same_unit(latest.unit, unit):
        return None
    max_age = params["max_age_days"]
    if max_age is not None and (
        latest.date is None or (facts.request_date - latest.date).days > max_age
    ):
        return None
    band = ""
    op, value = params["op"], params["value"]
    if params["thresholds"] is not None:
        if facts.member_dob is None:
            return None
        age = age_on(facts.member_dob, facts.request_date)
        chosen = _band(params["thresholds"], age)
        if chosen is None:  # check_problems refuses bands with gaps; never guess
            return None
        op, value = chosen["op"], chosen["value"]
        band = f" for age {age} ({band_text(chosen)})"
    compare, words = OPS[op]
    threshold = f"{value} {unit}".strip() + band
    taken = f" on {latest.date}" if latest.date else ""
    observed = f"{latest.name} {latest.value} {latest.unit}".strip() + taken
    if compare(Decimal(latest.value), _decimal(value)):
        return Suggestion(Answer.MET, f"{observed} is {words} {threshold}.")
    return Suggestion(Answer.NOT_MET, f"{observed} is not {words} {threshold}.")


def _band(bands: Iterable[Mapping[str, Any]], age: int) -> Mapping[str, Any] | None:
    for band in bands:
        low, high = band.get("min_age"), band.get("max_age")
        if (low is None or age >= low) and (high is None or age <= high):
            return band
    return None


def band_text(band: Mapping[str, Any]) -> str:
    low, high = band.get("min_age"), band.get("max_age")
    if low is not None and high is not None:
        return f"ages {low} to {high}"
    if low is not None:
        return f"ages {low} and over"
    if high is not None:
        return f"ages {high} and under"
    return "every age"


def _age_under(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    if facts.member_dob is None:
        return None
    age = age_on(facts.member_dob, facts.request_date)
    reason = f"{age} years old on {facts.request_date} (born {facts.member_dob})"
    if age < params["years"]:
        return Suggestion(Answer.MET, f"{reason}, under {params['years']}.")
    return Suggestion(Answer.NOT_MET, f"{reason}; under {params['years']} required.")


def _events_at_least(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    if not facts.events:
        return None  # no events listed may mean none were filled in
    window = params["within"]
    start = _shift(facts.request_date, window, -1)
    kind = params["event"]
    same_kind = [e for e in facts.events if _mentions(e.kind, _normalize(kind))]
    inside = sorted(e.date for e in same_kind if start <= e.date <= facts.request_date)
    dates = ", ".join(str(d) for d in inside)
    reason = (
        f"{len(inside)} {kind} event(s) from {start} to {facts.request_date}"
        f"{f' ({dates})' if dates else ''}; at least {params['count']} required."
    )
    return Suggestion(Answer.MET if len(inside) >= params["count"] else Answer.NOT_MET, reason)


BASELINES = ("earliest", "before_therapy_start")


def _percent_change(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    """(latest - baseline) / baseline x 100, signed: a fall is negative."""
    results = sorted(
        (r for r in _results(facts, params["lab"]) if r.date and r.date <= facts.request_date),
        key=lambda r: r.date or date.min,
    )
    if len(results) < 2:
        return None
    latest = results[-1]
    if params["baseline"] == "earliest":
        baseline: LabResult | None = results[0]
        which = "the earliest value"
    else:
        start = facts.therapy_start_date
        before = [r for r in results if start is not None and r.date and r.date <= start]
        baseline = before[-1] if before else None
        which = f"the last value on or before therapy start {start}"
    if baseline is None or baseline is latest or baseline.value == 0:
        return None
    if not _same_unit(baseline.unit, latest.unit):
        return None
    change = one_place((latest.value - baseline.value) / baseline.value * 100)
    compare, words = OPS[params["op"]]
    target = _decimal(params["percent"])
    reason = (
        f"{latest.name} {latest.value} {latest.unit} on {latest.date} against {which}, "
        f"{baseline.value} {baseline.unit} on {baseline.date}: a change of {change:+}%"
    ).replace("  ", " ")
    if compare(change, target):
        return Suggestion(Answer.MET, f"{reason}, {words} {target}%.")
    return Suggestion(Answer.NOT_MET, f"{reason}, not {words} {target}%.")


def _bmi_at_least(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    bmi = facts.bmi
    if bmi is None:
        return None
    reason = f"BMI {bmi} kg/m² (weight {facts.weight_kg} kg, height {facts.height_cm} cm)"
    if bmi >= _decimal(params["value"]):
        return Suggestion(Answer.MET, f"{reason}, at least {params['value']}.")
    return Suggestion(Answer.NOT_MET, f"{reason}; at least {params['value']} required.")


CHECK_DURATION_UNITS = ("day", "week", "calendar_month", "year")


def _shift(day: date, duration: Mapping[str, Any], sign: int) -> date:
    """day moved by the duration, forward (sign 1) or back (-1)."""
    count, unit = duration["count"] * sign, duration["unit"]
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    return add_months(day, count * (12 if unit == "year" else 1))


def duration_text(duration: Mapping[str, Any]) -> str:
    count, unit = duration["count"], str(duration["unit"]).replace("calendar_month", "month")
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _diagnosis_code_in(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    if not facts.diagnosis_codes:
        return None
    listed = [_code(c) for c in params["codes"]]
    codes = ", ".join(params["codes"])
    for given in facts.diagnosis_codes:
        if any(_code(given).startswith(code) for code in listed):
            return Suggestion(Answer.MET, f"Diagnosis code {given} falls under {codes}.")
    given_codes = ", ".join(facts.diagnosis_codes)
    return Suggestion(Answer.NOT_MET, f"Diagnosis codes {given_codes}: none falls under {codes}.")


def _diagnosis_suggests(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    """Suggest an answer from diagnosis codes that, in the policy's data, point one way.

    A code under none of the listed prefixes says nothing (an unspecified form, an old code,
    another disease); codes that point different ways are left to the reviewer.
    """
    prefixes = sorted(params["codes"].items(), key=lambda item: -len(_code(item[0])))
    found = []
    for given in facts.diagnosis_codes:
        for prefix, meaning in prefixes:
            if _code(given).startswith(_code(prefix)):
                found.append((given, meaning))
                break
    if not found:
        return None
    named = "; ".join(f"{given} ({meaning['meaning']})" for given, meaning in found)
    answers = {meaning["answer"] for _, meaning in found}
    if len(answers) > 1:
        return Suggestion(
            Answer.NOT_DOCUMENTED,
            f"Diagnosis codes point different ways: {named}. Verify the form of the disease "
            "in the clinical notes.",
        )
    codes = "code" if len(found) == 1 else "codes"
    return Suggestion(
        Answer(answers.pop()),
        f"Diagnosis {codes} {named}. A code alone does not show it: cite the clinical notes.",
    )


def _code(code: str) -> str:
    return "".join(code.split()).replace(".", "").upper()


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


# ---- registry and validation ---------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a check.

    kind: int | bool | str | decimal | op | strings | list (a key of the version's lists) |
    reference (the name of a reference list) | code_answers (code prefix -> {answer, meaning})
    | duration ({count, unit}) | age_bands (see _age_bands_problem) | baseline (earliest or
    before_therapy_start).
    """

    kind: str
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class CheckSpec:
    function: Callable[[Mapping[str, Any], Facts, Lists], Suggestion | None]
    params: Mapping[str, Param] = field(default_factory=dict)
    # Whether an accepted "met" suggestion is itself the evidence: the check read facts the
    # request states outright (a date of birth, a specialty). A check that only infers
    # (from a code, say) leaves the reviewer to cite the documents.
    stands_as_evidence: bool = True
    # Problems across params (given the params that are there, each of its kind), or None.
    rule: Callable[[Mapping[str, Any]], list[str]] | None = None
    # Whether the facts it reads are absent, so its "not met" rests on nothing listed: negated,
    # that would be a "met" from an empty form, so a negated check suggests nothing then.
    reads_nothing: Callable[[Facts], bool] | None = None


DEFAULT_OUTCOMES = ("failed", "intolerant", "contraindicated")
# A contraindicated drug is never taken, so it cannot last a trial's duration.
TRIAL_OUTCOMES = ("ineffective", "intolerant")


def _lab_value_rule(params: Mapping[str, Any]) -> list[str]:
    single = [name for name in ("op", "value") if params.get(name) is not None]
    if params.get("thresholds") is not None:
        return ["give either op and value or thresholds, not both"] if single else []
    if len(single) < 2:
        return ["needs op and value (one threshold) or thresholds (one per age band)"]
    return []


def _tried_at_least_rule(params: Mapping[str, Any]) -> list[str]:
    if params.get("min_dose") is not None and not str(params.get("dose_unit") or "").strip():
        return ["min_dose needs its dose_unit (e.g. mg)"]
    if params.get("dose_unit") and params.get("min_dose") is None:
        return ["dose_unit is only for min_dose"]
    return []


CHECKS: Mapping[str, CheckSpec] = {
    "age_at_least": CheckSpec(_age_at_least, {"years": Param("int")}),
    "specialty_in": CheckSpec(
        _specialty_in,
        {"list": Param("list"), "allow_consultation": Param("bool", False, False)},
    ),
    "no_concurrent_agents": CheckSpec(
        _no_concurrent_agents,
        {
            "list": Param("list"),
            "reference": Param("reference", False, None),
            "switch_grace_days": Param("int", False, 30),
        },
    ),
    "months_on_drug_at_least": CheckSpec(_months_on_drug_at_least, {"months": Param("int")}),
    "tried_and_failed_at_least": CheckSpec(
        _tried_and_failed_at_least,
        {
            "list": Param("list"),
            "count": Param("int", False, 1),
            "outcomes": Param("strings", False, DEFAULT_OUTCOMES),
        },
        stands_as_evidence=False,  # a history of trials is shown by the chart, not the form
        reads_nothing=lambda facts: not facts.prior_therapies,
    ),
    "lab_value": CheckSpec(
        _lab_value,
        {
            "lab": Param("str"),
            "op": Param("op", False, None),
            "value": Param("decimal", False, None),
            "thresholds": Param("age_bands", False, None),
            "unit": Param("str", False, ""),
            "max_age_days": Param("int", False, None),
            "within": Param("duration", False, None),
        },
        stands_as_evidence=False,  # the lab report is the evidence
        rule=_lab_value_rule,
    ),
    "age_under": CheckSpec(_age_under, {"years": Param("int")}),
    "events_at_least": CheckSpec(
        _events_at_least,
        {"event": Param("text"), "count": Param("int", False, 1), "within": Param("duration")},
        stands_as_evidence=False,  # the notes that record each event are the evidence
    ),
    "tried_at_least": CheckSpec(
        _tried_at_least,
        {
            "list": Param("list"),
            "count": Param("int", False, 1),
            "min_duration": Param("duration"),
            "min_dose": Param("decimal", False, None),
            "dose_unit": Param("str", False, ""),
            "outcomes": Param("strings", False, TRIAL_OUTCOMES),
        },
        stands_as_evidence=False,
        rule=_tried_at_least_rule,
    ),
    "percent_change": CheckSpec(
        _percent_change,
        {
            "lab": Param("text"),
            "baseline": Param("baseline", False, "earliest"),
            "op": Param("op"),
            "percent": Param("decimal"),
        },
        stands_as_evidence=False,
    ),
    "bmi_at_least": CheckSpec(_bmi_at_least, {"value": Param("decimal")}, stands_as_evidence=False),
    "diagnosis_code_in": CheckSpec(
        _diagnosis_code_in, {"codes": Param("strings")}, stands_as_evidence=False
    ),
    "diagnosis_suggests": CheckSpec(
        _diagnosis_suggests,
        {"codes": Param("code_answers"), "source": Param("str", False, "")},
        stands_as_evidence=False,
    ),
}


def check_stands_as_evidence(check: Check | None) -> bool:
    """Whether an accepted suggestion of this check is the evidence for a "met" answer."""
    spec = CHECKS.get(check.name) if check is not None else None
    return spec is not None and spec.stands_as_evidence


def check_problems(check: Check, lists: Lists, references: References | None = None) -> list[str]:
    """What is wrong with a check's name and params, as messages; [] when it is usable.

    references: the reference lists a `reference` param may name; None leaves those names
    unchecked (suggest refuses a name it is not given the list of).
    """
    return [message for _, message in check_param_problems(check, lists, references)]


def check_param_problems(
    check: Check, lists: Lists, references: References | None = None
) -> list[tuple[str | None, str]]:
    """check_problems, each with the parameter it is about (None: the check as a whole)."""
    spec = CHECKS.get(check.name)
    if spec is None:
        return [(None, f"Unknown check {check.name!r}; known checks: {', '.join(sorted(CHECKS))}.")]
    problems: list[tuple[str | None, str]] = [
        (name, f"Check {check.name}: unknown parameter {name!r}.")
        for name in check.params
        if name not in spec.params
    ]
    for name, param in spec.params.items():
        if name not in check.params or (check.params[name] is None and not param.required):
            if param.required:
                problems.append((None, f"Check {check.name}: missing parameter {name!r}."))
            continue
        problem = _param_problem(param.kind, check.params[name], lists, references)
        if problem:
            problems.append((name, f"Check {check.name}: parameter {name!r} {problem}."))
    if not isinstance(check.negate, bool):
        problems.append((None, f"Check {check.name}: negate must be true or false."))
    if spec.rule is not None and not problems:
        rule_problems = spec.rule(check.params)
        problems += [(None, f"Check {check.name}: {problem}.") for problem in rule_problems]
    return problems


def _param_problem(
    kind: str, value: Any, lists: Lists, references: References | None
) -> str | None:
    if kind == "reference":
        if not isinstance(value, str) or not value:
            return f"must be the name of a reference list, not {value!r}"
        if references is not None and value not in references:
            known = ", ".join(sorted(references)) or "none"
            return f"names no known reference list: {value!r} (known: {known})"
        return None
    if kind == "code_answers":
        return _code_answers_problem(value)
    if kind == "duration":
        return _duration_problem(value)
    if kind == "age_bands":
        return _age_bands_problem(value)
    accepts, wanted = _PARAM_KINDS[kind]
    return None if accepts(value, lists) else f"must be {wanted}, not {value!r}"


_SUGGESTED = (Answer.MET.value, Answer.NOT_MET.value)


def _code_answers_problem(value: Any) -> str | None:
    shape = "a mapping of diagnosis code prefix to {answer: met or not_met, meaning: text}"
    if not isinstance(value, Mapping) or not value:
        return f"must be {shape}, not {value!r}"
    for code, entry in value.items():
        if not isinstance(code, str) or not re.fullmatch(
            r"[A-Za-z][0-9A-Za-z]{2}(\.?[0-9A-Za-z]{1,4})?", code.strip()
        ):
            return f"has {code!r}, which is not a diagnosis code (e.g. G35.A)"
        if not isinstance(entry, Mapping) or set(entry) != {"answer", "meaning"}:
            return f"must give {code} exactly an answer and a meaning, not {entry!r}"
        if entry["answer"] not in _SUGGESTED:
            return f"must give {code} the answer met or not_met, not {entry['answer']!r}"
        if not isinstance(entry["meaning"], str) or not entry["meaning"].strip():
            return f"must give {code} a meaning (what the code stands for)"
    codes = [_code(c) for c in value]
    if len(set(codes)) != len(codes):
        return "lists the same code twice"
    return None


def _duration_problem(value: Any) -> str | None:
    shape = f"a duration {{count: N, unit: {' | '.join(CHECK_DURATION_UNITS)}}}"
    if not isinstance(value, Mapping) or set(value) != {"count", "unit"}:
        return f"must be {shape}, not {value!r}"
    if not _is_count(value["count"], {}) or value["count"] < 1:
        return f"must have a count of 1 or more, not {value['count']!r}"
    if value["unit"] not in CHECK_DURATION_UNITS:
        return f"must have a unit of {', '.join(CHECK_DURATION_UNITS)}, not {value['unit']!r}"
    return None


def _age_bands_problem(value: Any) -> str | None:
    """Age bands: a list of {min_age, max_age, op, value}, ages in whole years, both ends
    included, an end left out open; in order, with no gap and no overlap, from birth on, the
    last open-ended, so every age falls in exactly one band."""
    shape = "a list of age bands {min_age, max_age, op, value}"
    if not isinstance(value, list | tuple) or not value:
        return f"must be {shape}, not {value!r}"
    expected_low = 0
    for i, band in enumerate(value, start=1):
        if (
            not isinstance(band, Mapping)
            or not {"op", "value"} <= set(band)
            or not set(band) <= {"min_age", "max_age", "op", "value"}
        ):
            return f"band {i} must be {{min_age, max_age, op, value}}, not {band!r}"
        if not isinstance(band["op"], str) or band["op"] not in OPS:
            return f"band {i} has op {band['op']!r}; use {' or '.join(OPS)}"
        if not _is_number(band["value"], {}):
            return f"band {i} has value {band['value']!r}, which is not a number"
        low, high = band.get("min_age"), band.get("max_age")
        for bound in (low, high):
            if bound is not None and not _is_count(bound, {}):
                return f"band {i} has age {bound!r}, which is not a whole number of years"
        if (low or 0) != expected_low:
            return (
                f"band {i} starts at age {low or 0}, but must start at {expected_low} "
                "(bands in order from birth, with no gap or overlap)"
            )
        if high is None:
            if i != len(value):
                return f"band {i} has no max_age, so it must be the last"
            return None
        if high < expected_low:
            return f"band {i} ends at age {high}, before it starts at {expected_low}"
        expected_low = high + 1
    return f"the last band must have no max_age, so every age from {expected_low} on is covered"


def _is_count(value: Any, lists: Lists) -> bool:
    # bool is an int in Python; `years: true` is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: Any, lists: Lists) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return False
    try:
        return _decimal(value).is_finite()
    except InvalidOperation:
        return False


def _is_texts(value: Any, lists: Lists) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, str) and v.strip() for v in value)
    )


_PARAM_KINDS: Mapping[str, tuple[Callable[[Any, Lists], bool], str]] = {
    "int": (_is_count, "a whole number of 0 or more"),
    "bool": (lambda value, lists: isinstance(value, bool), "true or false"),
    "str": (lambda value, lists: isinstance(value, str), "text"),
    "text": (lambda value, lists: isinstance(value, str) and bool(value.strip()), "non-empty text"),
    "baseline": (lambda value, lists: value in BASELINES, " or ".join(BASELINES)),
    "op": (lambda value, lists: isinstance(value, str) and value in OPS, " or ".join(OPS)),
    "decimal": (_is_number, "a number"),
    "strings": (_is_texts, "a non-empty list of non-empty text"),
    "list": (lambda value, lists: isinstance(value, str) and value in lists, "a key of the lists"),
}


def resolved_params(
    check: Check, lists: Lists, references: References | None = None
) -> dict[str, Any]:
    """The check's params with defaults filled in; ValueError when they are not usable."""
    problems = check_problems(check, lists, references)
    if problems:
        raise ValueError(" ".join(problems))
    spec = CHECKS[check.name]
    return {
        name: check.params[name] if check.params.get(name) is not None else param.default
        for name, param in spec.params.items()
    }


def suggest(
    check: Check, facts: Facts, lists: Lists, references: References | None = None
) -> Suggestion | None:
    """The suggested answer, or None when the facts it needs are missing.

    A check whose name or params are unusable, or that names a reference list not given in
    references, raises ValueError (see check_problems).
    """
    given = references if references is not None else {}
    spec = CHECKS.get(check.name)
    params = resolved_params(check, lists, given)
    for name, param in (spec.params if spec else {}).items():
        if param.kind == "reference" and params[name] is not None:
            params[name] = given[params[name]]  # the check reads the list, not its name
    spec = CHECKS[check.name]
    suggestion = spec.function(params, facts, lists)
    if suggestion is None or not check.negate:
        return suggestion
    if spec.reads_nothing is not None and spec.reads_nothing(facts):
        return None
    if suggestion.answer == Answer.NOT_DOCUMENTED:
        note = " The criterion is the opposite of this check (negated)."
        return replace(suggestion, reason=suggestion.reason + note)
    flipped = Answer.NOT_MET if suggestion.answer == Answer.MET else Answer.MET
    words = "met" if flipped == Answer.MET else "not met"
    return replace(
        suggestion,
        answer=flipped,
        reason=f"{suggestion.reason} The criterion is the opposite (negated), so {words}.",
    )


def suggest_all(
    root: Node,
    facts: Facts,
    lists: Lists,
    *,
    path: str | None = None,
    indication: str | None = None,
    references: References | None = None,
) -> dict[str, Suggestion]:
    """Suggestions for every applicable leaf that has a check and enough facts, by label."""
    suggestions = {}
    for leaf in applicable_leaves(root, path=path, indication=indication):
        if leaf.check is not None and (suggestion := suggest(leaf.check, facts, lists, references)):
            suggestions[leaf.label] = suggestion
    return suggestions


# Each operator in words, for forms that edit checks.
OPERATORS: Mapping[str, str] = {op: words for op, (_, words) in OPS.items()}
