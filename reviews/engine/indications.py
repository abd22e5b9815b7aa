"""Which of a policy version's indications a request is for, from its diagnosis codes.

An indication lists ICD-10-CM code prefixes. A request's code fits an indication when it
starts with one of them (case, dots and spaces aside); the longest matching prefix wins, so
an indication listing G35.A is preferred to one listing G35 for a G35.A request. An indication
that lists no codes fits every request, more weakly than any code.
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
    """The best-fitting indications of a request with these diagnosis codes.

    indications: the document's `version.indications` (key, name, diagnosis_codes).
    """
    codes = [c for c in codes if code_key(c)]
    scored: list[tuple[int, str, str]] = []  # (prefix length, key, why)
    for indication in indications:
        prefixes = [p for p in indication.get("diagnosis_codes") or () if code_key(p)]
        if not prefixes:
            scored.append((0, indication["key"], f"{indication['name']} lists no codes"))
            continue
        best: tuple[int, str] | None = None
        for code in codes:
            for prefix in prefixes:
                if code_key(code).startswith(code_key(prefix)) and (
                    best is None or len(code_key(prefix)) > best[0]
                ):
                    best = (len(code_key(prefix)), f"{code} fits {prefix} ({indication['name']})")
        if best is not None:
            scored.append((best[0], indication["key"], best[1]))
    if not scored:
        given = ", ".join(codes) or "none"
        return IndicationMatch((), f"No indication lists a prefix of the codes given ({given}).")
    top = max(score for score, _, _ in scored)
    winners = [(key, why) for score, key, why in scored if score == top]
    why = "; ".join(w for _, w in winners)
    if len(winners) == 1:
        return IndicationMatch((winners[0][0],), f"Diagnosis: {why}.")
    return IndicationMatch(
        tuple(key for key, _ in winners), f"Several indications fit equally: {why}."
    )
