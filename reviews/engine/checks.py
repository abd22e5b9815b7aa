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
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .dosing import add_months
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


@dataclass(frozen=True)
class PriorTherapy:
    name: str
    outcome: str = ""  # failed | intolerant | contraindicated | ongoing | ...


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


def _months_on_drug_at_least(
    params: Mapping[str, Any], facts: Facts, lists: Lists
) -> Suggestion | None:
    start = facts.therapy_start_date
    if start is None:
        return None
    if start > facts.request_date:
        return Suggestion(
            Answer.NOT_MET,
            f"Therapy starts on {start}, after the request date {facts.request_date}.",
        )
    months = months_between(start, facts.request_date)
    reason = f"{months} whole months on therapy on {facts.request_date} (started {start})"
    if months >= params["months"]:
        return Suggestion(Answer.MET, f"{reason}.")
    return Suggestion(Answer.NOT_MET, f"{reason}; at least {params['months']} required.")


def _tried_and_failed_at_least(
    params: Mapping[str, Any], facts: Facts, lists: Lists
) -> Suggestion | None:
    items, title = _items(lists, params["list"]), _title(lists, params["list"])
    outcomes = {o.casefold() for o in params["outcomes"]}
    qualifying = [t for t in facts.prior_therapies if t.outcome.strip().casefold() in outcomes]
    tried = [item for item in items if any(matches_item(t.name, item) for t in qualifying)]
    needed = params["count"]
    named = ", ".join(f"{t.name} ({t.outcome})" for t in qualifying if _any_item(t.name, tried))
    reason = (
        f"{len(tried)} agent(s) from {title} tried ({named or 'none listed'}); "
        f"at least {needed} required."
    )
    return Suggestion(Answer.MET if len(tried) >= needed else Answer.NOT_MET, reason)


_OPS: Mapping[str, tuple[Callable[[Any, Any], bool], str]] = {
    ">=": (operator.ge, "at least"),
    ">": (operator.gt, "above"),
    "<=": (operator.le, "at most"),
    "<": (operator.lt, "below"),
}


def _lab_value(params: Mapping[str, Any], facts: Facts, lists: Lists) -> Suggestion | None:
    wanted = _normalize(params["lab"])
    results = [lab for lab in facts.labs if _normalize(lab.name) == wanted]
    if not results:
        return None
    # Undated results count as oldest: a dated result is the better evidence of "most recent".
    latest = max(results, key=lambda lab: lab.date or date.min)
    unit = params["unit"]
    if unit and _normalize(latest.unit).replace(" ", "") != _normalize(unit).replace(" ", ""):
        return None
    max_age = params["max_age_days"]
    if max_age is not None and (
        latest.date is None or (facts.request_date - latest.date).days > max_age
    ):
        return None
    compare, words = _OPS[params["op"]]
    threshold = f"{params['value']} {unit}".strip()
    taken = f" on {latest.date}" if latest.date else ""
    observed = f"{latest.name} {latest.value} {latest.unit}".strip() + taken
    if compare(Decimal(latest.value), _decimal(params["value"])):
        return Suggestion(Answer.MET, f"{observed} is {words} {threshold}.")
    return Suggestion(Answer.NOT_MET, f"{observed} is not {words} {threshold}.")


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
    reference (the name of a reference list) | code_answers (code prefix -> {answer, meaning}).
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


DEFAULT_OUTCOMES = ("failed", "intolerant", "contraindicated")

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
    ),
    "lab_value": CheckSpec(
        _lab_value,
        {
            "lab": Param("str"),
            "op": Param("op"),
            "value": Param("decimal"),
            "unit": Param("str", False, ""),
            "max_age_days": Param("int", False, None),
        },
        stands_as_evidence=False,  # the lab report is the evidence
    ),
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
    spec = CHECKS.get(check.name)
    if spec is None:
        return [f"Unknown check {check.name!r}; known checks: {', '.join(sorted(CHECKS))}."]
    problems = [
        f"Check {check.name}: unknown parameter {name!r}."
        for name in check.params
        if name not in spec.params
    ]
    for name, param in spec.params.items():
        if name not in check.params or (check.params[name] is None and not param.required):
            if param.required:
                problems.append(f"Check {check.name}: missing parameter {name!r}.")
            continue
        problem = _param_problem(param.kind, check.params[name], lists, references)
        if problem:
            problems.append(f"Check {check.name}: parameter {name!r} {problem}.")
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
    "op": (lambda value, lists: isinstance(value, str) and value in _OPS, " or ".join(_OPS)),
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
    return CHECKS[check.name].function(params, facts, lists)


def suggest_all(
    root: Node,
    facts: Facts,
    lists: Lists,
    *,
    path: str | None = None,
    references: References | None = None,
) -> dict[str, Suggestion]:
    """Suggestions for every applicable leaf that has a check and enough facts, by label."""
    suggestions = {}
    for leaf in applicable_leaves(root, path=path):
        if leaf.check is not None and (suggestion := suggest(leaf.check, facts, lists, references)):
            suggestions[leaf.label] = suggestion
    return suggestions
