"""Checks proposed from a criterion's own words, for the analyst to accept or not.

An analyst who pastes a policy's criteria still has to pick each question's check and type its
parameters, though the words already say most of them: "Patient is 18 years of age or older"
is the age check with 18. This reads a question's text against the version's own lists and
indications and proposes a check, or nothing. It is a proposal shown beside the words before
anything is saved, never applied unseen, and it is conservative by design:

- one reading per text, or none: a text with two comparisons ("at least 190 … or at least
  160 …") or any negation ("not", "no", "fewer than", "without", …) gets no proposal, except
  the one negative form a check is made for ("will not be used together with <a list>");
- a list or an indication is named only when exactly one of the version's own matches the
  words (by its title or by an item), so nothing is invented;
- parameters the words do not give are left at the check's defaults, and those the words give
  loosely (an outcome, an event's name) are taken as written for the analyst to correct.

Group titles are read too: a group titled with an indication's name is proposed for that
indication, one titled "initial …" or "continuation …" for that request path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBER = r"(\d+|one|two|three|four|five|six)"
_AT_LEAST = r"(?:at least|≥|>=)"
_NEGATION = re.compile(
    r"\b(not|no|never|none|without|cannot|can't|unable|fewer than|neither|nor)\b|n't\b",
    re.IGNORECASE,
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "or",
        "and",
        "for",
        "in",
        "with",
        "to",
        "by",
        "who",
        "is",
        "are",
        "used",
        "use",
        "other",
        "another",
        "any",
        "all",
    ]
)


@dataclass(frozen=True)
class Proposal:
    """A check (name and params) and the words it was read from, or a group's setting."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    because: str = ""


@dataclass(frozen=True)
class GroupProposal:
    indication: str = ""
    path: str = ""
    because: str = ""


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.casefold())]


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if w not in _STOP}


def _says(text: str, phrase: str) -> bool:
    """Whether the words of phrase appear in text, in order and together (plural-blind)."""
    wanted, have = _words(phrase), _words(text)
    return bool(wanted) and any(
        have[i : i + len(wanted)] == wanted for i in range(len(have) - len(wanted) + 1)
    )


def _list_named(text: str, lists: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The one list the text names: by its whole title's words, else by one of its items."""
    have = _content(text)
    by_title = [key for key, lst in lists.items() if _content(lst.get("title") or "") <= have]
    by_title = [key for key in by_title if _content(lists[key].get("title") or "")]
    if len(by_title) == 1:
        return by_title[0]
    if by_title:
        return None
    by_item = [
        key
        for key, lst in lists.items()
        if any(
            _says(text, term)
            for item in lst.get("items") or []
            for term in (item.get("name"), item.get("generic"), *(item.get("synonyms") or []))
            if term
        )
    ]
    return by_item[0] if len(by_item) == 1 else None


def _within(count: str, unit: str) -> dict[str, Any]:
    """A window in the check's units: months are calendar months, with or without the word."""
    unit = unit.casefold().rstrip("s")
    if unit == "month":
        return {"count": int(count), "unit": "calendar_month"}
    return {"count": int(count), "unit": unit}


_AGE_MIN = re.compile(
    rf"\b(?:is|are|aged?)\s+(?:{_AT_LEAST}\s*(\d{{1,3}})\s+years?(?:\s+of age|\s+old)?"
    r"|(\d{1,3})\s+years?(?:\s+of age|\s+old)?\s+or older)",
    re.IGNORECASE,
)
_AGE_UNDER = re.compile(
    r"\b(?:is|are)\s+(?:under|younger than|less than|<)\s*(\d{1,3})\s+years?", re.IGNORECASE
)
_ON_DRUG = re.compile(
    r"\b(receiving|received|been on|using|used|taking|taken)\b(.{0,80}?)\bfor\s+"
    rf"{_AT_LEAST}\s*(\d+)\s+(calendar\s+)?(months?|years?)\b",
    re.IGNORECASE,
)
_EVENTS = re.compile(
    rf"\b(?:{_AT_LEAST}\s+{_NUMBER}|{_NUMBER}\s+or more)\s+([a-z][a-z \-]*?)\s+in the\s+"
    r"(?:past\s+|last\s+)?(\d+)\s+(calendar\s+)?(days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# A trial that happened: a contraindication alone is no trial, so it proposes nothing.
_FAILED = re.compile(
    r"tried and failed|\bfailed\b|inadequate response|intoleran|could not tolerate",
    re.IGNORECASE,
)
_COUNT = re.compile(rf"\b(?:{_AT_LEAST}\s+{_NUMBER}|{_NUMBER}\s+or more)\b", re.IGNORECASE)
_CONCURRENT = re.compile(
    r"\bnot\b.{0,40}?\b(?:used|use|taken|given|combined)\b.{0,50}?\bwith\b", re.IGNORECASE
)
_SPECIALTY = re.compile(r"\bprescribed by\b", re.IGNORECASE)
# A unit is a ratio (mg/dL, kg/m²), a percent or mmHg; a bare word after a figure is not.
_UNIT = r"([a-zµ]+/[a-z0-9²]+|%|mmhg)"
_COMPARE = re.compile(
    r"\b(?:is|are|was|of)\s+(at least|more than|greater than|above|at most|less than|below|"
    rf"under|≥|>=|>|≤|<=|<)\s*(\d+(?:\.\d+)?)\s*{_UNIT}?"
    rf"|\b(?:is|are|was)\s+(\d+(?:\.\d+)?)\s*{_UNIT}?\s+or (more|less|higher|lower)\b",
    re.IGNORECASE,
)
_OPS = {
    "at least": ">=",
    "≥": ">=",
    ">=": ">=",
    "more than": ">",
    "greater than": ">",
    "above": ">",
    ">": ">",
    "at most": "<=",
    "≤": "<=",
    "<=": "<=",
    "less than": "<",
    "below": "<",
    "under": "<",
    "<": "<",
    "more": ">=",
    "higher": ">=",
    "less": "<=",
    "lower": "<=",
}
_COMPARATORS = re.compile(
    r"\b(?:at least|at most|more than|greater than|above|less than|below|or more|or less|"
    r"or higher|or lower)\b|[≥≤<>]",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"\bwithin (?:the\s+)?(?:past\s+|last\s+)?(\d+)\s+(calendar\s+)?(days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_BMI = re.compile(
    r"\b(?:body mass index|bmi)\b(?:\s*\(bmi\))?\s+(?:is\s+)?(?:(?:at least|≥|>=)\s*"
    r"(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:kg/m²|kg/m2)?\s+or (?:more|higher))",
    re.IGNORECASE,
)
_HAS = re.compile(r"^(?:the\s+)?patient\s+(?:has|is diagnosed with)\b|^diagnosis of\b", re.I)


def _age_at_least(text: str, **_: Any) -> Proposal | None:
    if found := _AGE_MIN.search(text):
        return Proposal("age_at_least", {"years": int(found[1] or found[2])}, found[0])
    return None


def _age_under(text: str, **_: Any) -> Proposal | None:
    if found := _AGE_UNDER.search(text):
        return Proposal("age_under", {"years": int(found[1])}, found[0])
    return None


def _bmi_at_least(text: str, **_: Any) -> Proposal | None:
    if found := _BMI.search(text):
        return Proposal("bmi_at_least", {"value": found[1] or found[2]}, found[0])
    return None


def _months_on_drug(text: str, *, lists, **_: Any) -> Proposal | None:
    found = _ON_DRUG.search(text)
    # "taken <a listed drug> 40 mg daily for 3 months" is a prior trial, not time on this drug.
    if (
        not found
        or re.search(r"\d\s*(mg|mcg|g|ml)\b", found[2], re.I)
        or _list_named(found[2], lists)
    ):
        return None
    months = int(found[3]) * (12 if found[5].casefold().startswith("year") else 1)
    return Proposal("months_on_drug_at_least", {"months": months}, found[0])


def _events(text: str, **_: Any) -> Proposal | None:
    if not (found := _EVENTS.search(text)):
        return None
    count = _number(found[1] or found[2])
    event = _stem(found[3].split()[-1].casefold())
    within = _within(found[4], found[6])
    return Proposal("events_at_least", {"count": count, "event": event, "within": within}, found[0])


def _tried_and_failed(text: str, *, lists, **_: Any) -> Proposal | None:
    failed = _FAILED.search(text)
    if not failed or (key := _list_named(text, lists)) is None:
        return None
    count = _COUNT.search(text)
    words = text.casefold()
    outcomes = [
        outcome
        for outcome, said in (
            ("failed", "failed" in words or "inadequate response" in words),
            ("intolerant", "intoleran" in words or "could not tolerate" in words),
            ("contraindicated", "contraindicat" in words),
        )
        if said
    ]
    params = {"count": _number(next(g for g in count.groups() if g)) if count else 1}
    return Proposal(
        "tried_and_failed_at_least",
        {**params, "list": key, "outcomes": outcomes},
        failed[0],
    )


def _no_concurrent(text: str, *, lists, **_: Any) -> Proposal | None:
    found = _CONCURRENT.search(text)
    if not found or (key := _list_named(text[found.end() :], lists)) is None:
        return None
    return Proposal("no_concurrent_agents", {"list": key}, found[0])


def _specialty(text: str, *, lists, **_: Any) -> Proposal | None:
    found = _SPECIALTY.search(text)
    if not found or (key := _list_named(text[found.end() :], lists)) is None:
        return None
    consult = "consultation" in text.casefold()
    return Proposal("specialty_in", {"allow_consultation": consult, "list": key}, found[0])


def _lab_name(before: str) -> str:
    name = re.split(
        r"\s+(?:drawn|assessed|measured|on a test|from a|taken)\b", before, maxsplit=1, flags=re.I
    )[0]
    name = re.sub(r"^(?:the|a|an|patient's|a patient's)\s+", "", name.strip(), flags=re.I)
    if abbreviation := re.search(r"\(([A-Za-z][A-Za-z0-9\-]{1,9})\)", name):
        return abbreviation[1]
    return re.sub(r"\s+(?:score|level|value|result|count)$", "", name, flags=re.I).strip()


def _lab_value(text: str, **_: Any) -> Proposal | None:
    comparisons = list(_COMPARE.finditer(text))
    window = _WINDOW.search(text)
    # A second threshold anywhere ("… or at least 160 mg/dL under 18") is an age band or a
    # range this reading cannot hold: nothing, rather than half the rule.
    if len(comparisons) != 1 or len(_COMPARATORS.findall(text)) != 1 or not window:
        return None
    found = comparisons[0]
    if found[1]:
        op, value, unit = _OPS[found[1].casefold()], found[2], found[3] or ""
    else:
        op, value, unit = _OPS[found[6].casefold()], found[4], found[5] or ""
    lab = _lab_name(text[: found.start()])
    if not lab or len(lab) > 60:
        return None
    params: dict[str, Any] = {"lab": lab, "op": op, "value": value}
    if unit and unit != "%":
        params["unit"] = unit
    params["within"] = _within(window[1], window[3])
    return Proposal("lab_value", params, f"{found[0]} … {window[0]}")


def _diagnosis(text: str, *, indications, **_: Any) -> Proposal | None:
    if not _HAS.search(text.strip()):
        return None
    named = [ind for ind in indications if ind.get("name") and _says(text, ind["name"])]
    if len(named) != 1 or not named[0].get("diagnosis_codes"):
        return None
    codes = list(named[0]["diagnosis_codes"])
    return Proposal("diagnosis_code_in", {"codes": codes}, named[0]["name"])


# The order is the order of precedence: the specific readings first.
_READERS = (
    _bmi_at_least,
    _age_under,
    _age_at_least,
    _months_on_drug,
    _events,
    _tried_and_failed,
    _no_concurrent,
    _specialty,
    _lab_value,
    _diagnosis,
)


def check_propose(
    text: str,
    *,
    lists: Mapping[str, Mapping[str, Any]],
    indications: Sequence[Mapping[str, Any]],
) -> Proposal | None:
    """The check a question's words propose, or None.

    lists: the version's lists by key ({"title", "items": [{"name", "generic", "synonyms"}]});
    indications: the version's indications ({"key", "name", "diagnosis_codes"}).
    """
    text = " ".join(text.split())
    if not text:
        return None
    # "could not tolerate" states an intolerance, not the absence of one.
    negated = _NEGATION.search(re.sub(r"could not tolerate", "", text, flags=re.I))
    for reader in _READERS:
        if negated and reader is not _no_concurrent:
            continue
        if (proposal := reader(text, lists=lists, indications=indications)) is not None:
            return proposal
    return None


def group_propose(title: str, *, indications: Sequence[Mapping[str, Any]]) -> GroupProposal | None:
    """The indication or request path a group's title names, or None."""
    if not title.strip():
        return None
    words = _content(title)
    named = [ind for ind in indications if ind.get("name") and _content(ind["name"]) == words]
    if len(named) == 1:
        return GroupProposal(indication=named[0]["key"], because=title)
    initial = bool(words & {"initial", "starting"})
    continuation = bool(words & {"continuation", "continuing", "renewal", "reauthorization"})
    if initial != continuation:
        return GroupProposal(path="initial" if initial else "continuation", because=title)
    return None
