"""Consistency warnings: where a version's words and its structured fields disagree.

A policy is written twice: once as the words members and reviewers read, once as the fields
the engine computes with. An analyst who changes one often forgets the other (the initial
approval set to 180 days while the approval text still says "365 days"). These warnings
catch the common cases before publishing. They are warnings, not problems: the words are
the policy's own, so an admin may read a warning and publish anyway.

What is compared, and why only there (so the published policies raise no false alarm):
- approval periods: a duration right after "initial/first/extended/... approval", before it
  ("the 90-day first approval"), after "Approve for" in a criterion (its path says which
  period), or after "each renewal is for", in any text of the version, against the periods
  of the indications the text applies to (a criterion's own indication, else all);
- ages: the ages a leaf with an age check (or a lab threshold by age band) states in its
  title, text or plain language, against the check's years or bands;
- a check's durations (`within`, `min_duration`, `months`): "within the 90 days", "in the
  past 12 months", "for at least 3 months", "≥ 1 year" in the leaf's title, text or plain
  language (never its note, which explains other figures);
- doses: every amount the dosing text gives in a unit of the dosing rules, against the
  amounts the rules hold (phases, per-kg doses and their maximum, dose ranges, limits).
Durations are equal when they are within 1% (or a day) of each other, so 1 year, 12
calendar months, 52 weeks and 365 days are one period, while 6 months and 180 days are not.

Plus: an empty list; a check naming a list the version does not have; an annual review date
in the past; an effective date before the last published version's.

Pure Python: takes the version's document (raw or normalized) as a dict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .numbers import plain_number


@dataclass(frozen=True)
class ConsistencyWarning:
    """One disagreement: `where` names the section or criterion, `message` says both values."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# ---- durations in words ---------------------------------------------------------------------

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NUMBER = r"\d+|" + "|".join(_WORD_NUMBERS)
_UNIT = r"(?:calendar[\s-]+)?(?:days?|weeks?|months?|years?)"
_DURATION = rf"(?P<n>{_NUMBER})[\s-]+(?P<unit>{_UNIT})\b"
_DAYS_PER = {
    "day": Decimal(1),
    "week": Decimal(7),
    "calendar_month": Decimal("365.25") / 12,
    "year": Decimal("365.25"),
}
_INITIAL = r"initial|first"
_EXTENDED = r"extended|continued|continuation|renewal|reauthori[sz]ation|subsequent"
_APPROVAL_AFTER = re.compile(
    rf"\b(?P<kind>{_INITIAL}|{_EXTENDED})\s+approval\b(?:\s+period)?"
    rf"(?:\s*(?::|-|–|—|=)\s*|\s+is\s+|\s+of\s+|\s+)(?:for\s+)?(?:up\s+to\s+)?{_DURATION}",
    re.IGNORECASE,
)
_APPROVAL_BEFORE = re.compile(
    rf"\b{_DURATION}[ \t]+(?P<kind>{_INITIAL}|{_EXTENDED})[ \t]+approval\b", re.IGNORECASE
)
_APPROVE_FOR = re.compile(rf"\bapprove\s+for\s+(?:up\s+to\s+)?{_DURATION}", re.IGNORECASE)
_RENEWAL_IS = re.compile(
    rf"\b(?P<kind>renewal|reauthori[sz]ation)s?\s+(?:is|are|lasts?)\s+for\s+{_DURATION}",
    re.IGNORECASE,
)
_CHECK_DURATIONS = (
    re.compile(
        rf"\b(?:within|in|during|over|from)\s+the\s+(?:past\s+|last\s+|previous\s+|preceding\s+)?"
        rf"{_DURATION}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:within|in|during|over|from)\s+(?:the\s+)?(?:past|last|previous|preceding)\s+"
        rf"{_DURATION}",
        re.IGNORECASE,
    ),
    re.compile(rf"\bfor\s+(?:at\s+least|a\s+minimum\s+of|≥|>=)\s*{_DURATION}", re.IGNORECASE),
    re.compile(rf"(?:≥|>=)\s*{_DURATION}", re.IGNORECASE),
)


@dataclass(frozen=True)
class _Span:
    """A duration as written: its words, count and unit (day, week, calendar_month, year)."""

    text: str
    count: int
    unit: str

    @property
    def days(self) -> Decimal:
        return self.count * _DAYS_PER[self.unit]


def _span(match: re.Match) -> _Span:
    raw = match.group("n").lower()
    count = int(raw) if raw.isdigit() else _WORD_NUMBERS[raw]
    unit = re.sub(r"[\s-]+", " ", match.group("unit").lower()).removesuffix("s")
    unit = {"calendar month": "calendar_month", "month": "calendar_month"}.get(unit, unit)
    unit = unit.removeprefix("calendar ")
    return _Span(match.group(0).strip(), count, unit)


def _same_period(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(Decimal(1), max(a, b) / 100)


def _duration_days(value: Any) -> Decimal | None:
    if not isinstance(value, Mapping):
        return None
    count, unit = value.get("count"), value.get("unit")
    if isinstance(count, bool) or not isinstance(count, int) or unit not in _DAYS_PER:
        return None
    return count * _DAYS_PER[unit]


def describe(value: Mapping[str, Any]) -> str:
    """{count: 6, unit: calendar_month} -> '6 calendar months'."""
    count, unit = value.get("count"), str(value.get("unit", "")).replace("_", " ")
    return f"{count} {unit}{'' if count == 1 else 's'}"


# ---- walking the document -----------------------------------------------------------------

_SECTIONS = (
    (("approval", "text"), "Approval text"),
    (("duration_of_therapy",), "Duration of therapy"),
    (("statement",), "Policy statement"),
    (("overview",), "Overview"),
    (("criteria_intro",), "Criteria introduction"),
    (("dosing", "text"), "Dosing text"),
    (("labs_diagnostics",), "Labs/diagnostics"),
    (("documentation_requirements",), "Documentation requirements"),
)
_NODE_FIELDS = (
    ("title", "title"),
    ("text", "text"),
    ("note", "note"),
    ("explanation", "explanation"),
    ("plain_language", "plain language"),
)
# A check's own words: its note explains other figures ("5 months lets the renewal ...").
_LEAF_FIELDS = (("title", "title"), ("text", "text"), ("plain_language", "plain language"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _get(body: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    value: Any = body
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return _text(value)


def _nodes(root: Any) -> Iterator[tuple[dict[str, Any], str | None, str | None]]:
    """(node, its path, its indication), inherited from the nearest ancestor that has one."""

    def walk(node: Any, path: str | None, indication: str | None):
        if not isinstance(node, Mapping):
            return
        path = node.get("path") or path
        indication = node.get("indication") or indication
        yield node, path, indication
        for child in node.get("children") or []:
            yield from walk(child, path, indication)

    yield from walk(root, None, None)


def _label(node: Mapping[str, Any]) -> str:
    return f"Criterion {node.get('label') or '(no label)'}"


def _quote(text: str) -> str:
    return f"“{text}”"


# ---- (a) approval periods -------------------------------------------------------------------


def _approval_mentions(text: str, path: str | None) -> Iterator[tuple[str, _Span]]:
    """(which period: initial | extended | either, the duration as written)."""
    seen: set[tuple[int, int]] = set()
    for pattern in (_APPROVAL_AFTER, _APPROVAL_BEFORE, _RENEWAL_IS):
        for match in pattern.finditer(text):
            if match.span() in seen:
                continue
            seen.add(match.span())
            kind = match.group("kind").lower()
            yield ("initial" if re.fullmatch(_INITIAL, kind) else "extended"), _span(match)
    for match in _APPROVE_FOR.finditer(text):
        kind = {"initial": "initial", "continuation": "extended"}.get(path or "", "either")
        yield kind, _span(match)


def _periods(indications: list[Mapping[str, Any]], kind: str) -> list[tuple[str, Any]]:
    """(indication name, period or None) for each indication, for the kind of period."""
    out = []
    for indication in indications:
        approval = indication.get("approval") or {}
        name = _text(indication.get("name")) or _text(indication.get("key"))
        kinds = ("initial", "extended") if kind == "either" else (kind,)
        for k in kinds:
            out.append((name, approval.get(k)))
    return out


def _approval_warnings(
    where: str, text: str, path: str | None, indications: list[Mapping[str, Any]]
) -> Iterator[ConsistencyWarning]:
    for kind, span in _approval_mentions(text, path):
        periods = _periods(indications, kind)
        known = [(name, p) for name, p in periods if _duration_days(p) is not None]
        if not periods:
            continue
        if any(_same_period(span.days, _duration_days(p)) for _, p in known):
            continue
        label = {"initial": "initial approval", "extended": "extended approval"}.get(
            kind, "approval"
        )
        if not known:
            yield ConsistencyWarning(
                where,
                f"the text says {_quote(span.text)} for the {label}, but no indication "
                f"it applies to has an {label} (no reauthorization).",
            )
            continue
        have = "; ".join(f"{name}: {describe(p)}" for name, p in known)
        yield ConsistencyWarning(
            where,
            f"the text says {_quote(span.text)} for the {label}, but the {label} is {have}.",
        )


# ---- (a) ages and a check's durations -------------------------------------------------------

_AGES = (
    re.compile(r"(\d+)\s+years?\s+(?:of\s+age|old)", re.IGNORECASE),
    re.compile(r"(?:≥|>=|≤|<=|<|>)\s*(\d+)\s+years?\b", re.IGNORECASE),
    re.compile(r"\b(?:aged?|age\s+of)\s+(\d+)\b", re.IGNORECASE),
    re.compile(r"\b(\d+)\s+(?:years\s+)?(?:or|and)\s+(?:older|over|above)\b", re.IGNORECASE),
    re.compile(r"\b(?:under|younger\s+than|below)\s+(?:the\s+age\s+of\s+)?(\d+)\b", re.IGNORECASE),
)


def _stated_ages(text: str) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    for pattern in _AGES:
        for match in pattern.finditer(text):
            found.setdefault(int(match.group(1)), match.group(0).strip())
    return sorted(found.items())


def _check_ages(check: Mapping[str, Any]) -> tuple[set[int], str] | None:
    """The ages a check holds, and how to say them; None when it holds none."""
    params = check.get("params") or {}
    name = check.get("name")
    if name in ("age_at_least", "age_under") and isinstance(params.get("years"), int):
        return {params["years"]}, f"its check {name} has years {params['years']}"
    if name == "lab_value" and isinstance(params.get("thresholds"), list):
        ages: set[int] = set()
        bands = []
        for band in params["thresholds"]:
            if not isinstance(band, Mapping):
                continue
            low, high = band.get("min_age"), band.get("max_age")
            if isinstance(low, int):
                ages.add(low)
            if isinstance(high, int):
                ages.update({high, high + 1})  # "15 and under" is "under 16"
            bands.append(f"{low if low is not None else 0}-{high if high is not None else 'up'}")
        if ages:
            return ages, f"its check's age bands are {', '.join(bands)}"
    return None


def _check_durations(check: Mapping[str, Any]) -> list[tuple[Decimal, str]]:
    params = check.get("params") or {}
    out = []
    for key in ("within", "min_duration"):
        days = _duration_days(params.get(key))
        if days is not None:
            out.append((days, f"{key} {describe(params[key])}"))
    months = params.get("months")
    if isinstance(months, int) and not isinstance(months, bool) and months > 0:
        out.append((months * _DAYS_PER["calendar_month"], f"months {months}"))
    return out


def _leaf_warnings(node: Mapping[str, Any]) -> Iterator[ConsistencyWarning]:
    check = node.get("check")
    if not isinstance(check, Mapping):
        return
    ages = _check_ages(check)
    durations = _check_durations(check)
    for key, field in _LEAF_FIELDS:
        text = _text(node.get(key))
        if not text:
            continue
        where = f"{_label(node)} ({field})"
        if ages is not None:
            held, said = ages
            for age, words in _stated_ages(text):
                if age not in held:
                    yield ConsistencyWarning(where, f"the text says {_quote(words)}, but {said}.")
        if durations:
            seen: set[str] = set()
            for pattern in _CHECK_DURATIONS:
                for match in pattern.finditer(text):
                    span = _span(match)
                    if span.text in seen:
                        continue
                    seen.add(span.text)
                    if not any(_same_period(span.days, days) for days, _ in durations):
                        said = ", ".join(s for _, s in durations)
                        yield ConsistencyWarning(
                            where,
                            f"the text says {_quote(span.text)}, but its check "
                            f"{check.get('name')} has {said}.",
                        )


# ---- (a) doses ------------------------------------------------------------------------------

_DOSE = re.compile(
    r"(?<![\d.,])(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>mg/kg|mcg/kg|mg|mcg|µg|g|mL|units?|IU)(?![A-Za-zµ/²])",
    re.IGNORECASE,
)


def _unit_key(unit: Any) -> str:
    key = str(unit or "").strip().lower().replace("µg", "mcg")
    return "unit" if key in ("unit", "units") else key


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _regimen_amounts(indications: list[Mapping[str, Any]]) -> dict[str, set[Decimal]]:
    """unit -> every amount a dosing rule holds in it (a per-kg dose under 'mg/kg')."""
    amounts: dict[str, set[Decimal]] = {}

    def add(value: Any, unit: Any) -> None:
        number = _decimal(value) if value is not None else None
        if number is not None and unit:
            amounts.setdefault(_unit_key(unit), set()).add(number)

    for indication in indications:
        regimen = indication.get("regimen")
        if not isinstance(regimen, Mapping):
            continue
        for phase in regimen.get("phases") or []:
            dose = phase.get("dose") if isinstance(phase, Mapping) else None
            if not isinstance(dose, Mapping):
                continue
            unit = dose.get("unit")
            add(dose.get("amount"), unit)
            add(dose.get("max"), unit)
            if dose.get("per_kg") is not None and unit:
                add(dose.get("per_kg"), f"{unit}/kg")
        for key, fields in (("dose_range", ("min", "max")), ("quantity_limit", ("amount",))):
            part = regimen.get(key)
            if isinstance(part, Mapping):
                for field in fields:
                    add(part.get(field), part.get("unit"))
    return amounts


def _dose_warnings(text: str, indications: list[Mapping[str, Any]]) -> Iterator[ConsistencyWarning]:
    amounts = _regimen_amounts(indications)
    if not amounts:
        return
    reported: set[tuple[Decimal, str]] = set()
    for match in _DOSE.finditer(text):
        unit = _unit_key(match.group("unit"))
        amount = _decimal(match.group("amount"))
        if unit not in amounts or amount is None or (amount, unit) in reported:
            continue
        if amount in amounts[unit]:
            continue
        reported.add((amount, unit))
        held = ", ".join(f"{plain_number(a)} {match.group('unit')}" for a in sorted(amounts[unit]))
        yield ConsistencyWarning(
            "Dosing text",
            f"the text gives {_quote(match.group(0).strip())}, but no phase, dose range or "
            f"limit of a dosing rule has that amount (they have {held}).",
        )


# ---- (b), (c) lists -------------------------------------------------------------------------


def _list_warnings(body: Mapping[str, Any]) -> Iterator[ConsistencyWarning]:
    lists = body.get("lists") or {}
    for key, data in lists.items():
        items = data.get("items") if isinstance(data, Mapping) else None
        if not items:
            title = _text(data.get("title")) if isinstance(data, Mapping) else ""
            yield ConsistencyWarning(
                f"List {title or key}",
                f"the list {key} is empty: it has no items, so a check naming it matches nothing.",
            )
    for node, _, _ in _nodes(body.get("criteria")):
        check = node.get("check")
        if not isinstance(check, Mapping):
            continue
        name = (check.get("params") or {}).get("list")
        if isinstance(name, str) and name and name not in lists:
            have = ", ".join(sorted(lists)) or "none"
            yield ConsistencyWarning(
                _label(node),
                f"its check {check.get('name')} names the list {name}, which does not exist "
                f"(the version's lists: {have}).",
            )


# ---- (d), (e) dates -------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _date_warnings(
    body: Mapping[str, Any], today: date, last_published_effective: date | None
) -> Iterator[ConsistencyWarning]:
    review = _as_date(body.get("annual_review_date"))
    if review is not None and review < today:
        yield ConsistencyWarning(
            "Dates",
            f"the annual review date {review:%Y-%m-%d} is past (today is {today:%Y-%m-%d}).",
        )
    effective = _as_date(body.get("effective_date"))
    if (
        effective is not None
        and last_published_effective is not None
        and effective < last_published_effective
    ):
        yield ConsistencyWarning(
            "Dates",
            f"the effective date {effective:%Y-%m-%d} is before the last published "
            f"version's effective date {last_published_effective:%Y-%m-%d}.",
        )


# ---- the whole version ----------------------------------------------------------------------


def consistency_warnings(
    doc: Mapping[str, Any], *, today: date, last_published_effective: date | None = None
) -> list[ConsistencyWarning]:
    """Every consistency warning of a version's document, dates, lists and words."""
    body = doc.get("version") or {}
    indications = [i for i in body.get("indications") or [] if isinstance(i, Mapping)]
    by_key = {i.get("key"): i for i in indications}
    warnings = list(_date_warnings(body, today, last_published_effective))
    warnings += _list_warnings(body)
    for keys, where in _SECTIONS:
        text = _get(body, keys)
        if text:
            warnings += _approval_warnings(where, text, None, indications)
    warnings += _dose_warnings(_get(body, ("dosing", "text")), indications)
    for node, path, indication in _nodes(body.get("criteria")):
        scope = [by_key[indication]] if indication in by_key else indications
        for key, field in _NODE_FIELDS:
            text = _text(node.get(key))
            if text:
                where = f"{_label(node)} ({field})"
                warnings += _approval_warnings(where, text, path, scope)
        if not node.get("children"):
            warnings += _leaf_warnings(node)
    return warnings
