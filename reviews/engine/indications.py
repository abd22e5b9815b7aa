"""Which of a policy version's indications a request is for, from its diagnosis codes.

An indication lists ICD-10-CM code prefixes. A request's code fits an indication when it
starts with one of them (case, dots and spaces aside); for each code the longest matching
prefix wins, so an indication listing G35.A is preferred to one listing G35 for a G35.A code.
Codes that fit different indications leave the choice to the nurse. An indication that lists
no codes fits a request none of whose codes fits another indication.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def code_key(code: str) -> str:
    """A code as compared: upper case, without dots or spaces ("g35.a" -> "G35A")."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


@dataclass(frozen=True)
class IndicationMatch:
    """The indications that fit best (keys), and why, in words."""

    keys: tuple[str, ...]
    reason: str

    @property
    def chosen(self) -> str | None:
        """The one indication that fits best, or None (none fits, or several tie)."""
        return self.keys[0] if len(self.keys) == 1 else None


def indication_match(
    indications: Sequence[Mapping[str, Any]], codes: Iterable[str]
) -> IndicationMatch:
    """The indications a request with these diagnosis codes fits.

    For each code, the indication with the longest prefix of it wins; the request fits the
    winners of all its codes (a code no indication lists says nothing). When no code fits,
    the indications that list no codes fit. indications: the document's
    `version.indications` (key, name, diagnosis_codes).
    """
    codes = [c for c in codes if code_key(c)]
    fits: dict[str, list[str]] = {}  # key -> why, in words
    for code in codes:
        best = 0
        winners: list[tuple[str, str]] = []
        for indication in indications:
            for prefix in indication.get("diagnosis_codes") or ():
                size = len(code_key(prefix))
                if not size or not code_key(code).startswith(code_key(prefix)) or size < best:
                    continue
                if size > best:
                    best, winners = size, []
                winners.append((indication["key"], f"{code} fits {prefix} ({indication['name']})"))
        for key, why in winners:
            fits.setdefault(key, []).append(why)
    if not fits:
        for indication in indications:
            if not any(code_key(p) for p in indication.get("diagnosis_codes") or ()):
                fits[indication["key"]] = [f"{indication['name']} lists no codes"]
    if not fits:
        given = ", ".join(codes) or "none"
        return IndicationMatch((), f"No indication lists a prefix of the codes given ({given}).")
    why = "; ".join(w for whys in fits.values() for w in whys)
    if len(fits) == 1:
        return IndicationMatch(tuple(fits), f"Diagnosis: {why}.")
    return IndicationMatch(tuple(fits), f"Several indications fit: {why}.")


def code_meanings(
    indications: Sequence[Mapping[str, Any]], codes: Iterable[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """Each code with the names of the indications it fits best (the longest prefix, as in
    indication_match): what the policy says the code means for this request; () for a code
    no indication lists. indications: the document's `version.indications`."""
    found = []
    for code in codes:
        best, names = 0, []
        for indication in indications:
            for prefix in indication.get("diagnosis_codes") or ():
                size = len(code_key(prefix))
                if not size or not code_key(code).startswith(code_key(prefix)) or size < best:
                    continue
                if size > best:
                    best, names = size, []
                if indication["name"] not in names:
                    names.append(indication["name"])
        found.append((code, tuple(names)))
    return found
