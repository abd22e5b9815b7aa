"""A dosing rule's phases read from words, the way the app itself writes them (dosing.py's
`describe`), so an analyst types a policy's dosing as it reads instead of filling a row of
twelve fields per phase.

One phase per line (or phases joined by "; then ", as `Regimen.describe` joins them):

    Loading: 150 mg subcutaneous at weeks 0, 1 and 2 (initial only)
    Maintenance: 150 mg subcutaneous every 4 weeks from week 4
    5 mg/kg (at most 400 mg) intravenous every 8 weeks

- "Name:" is optional; the dose is an amount and a unit ("mg/kg" for a dose per kilogram, with
  "(at most N unit)" for its cap); the route is the words before the schedule.
- The schedule is a series ("at day(s)/week(s) 0, 1 and 2") or a repeating one ("every N
  days/weeks/calendar months", "from day/week N"). A bare "month" is refused: a policy's
  "monthly" may mean every 4 weeks or every calendar month, and the analyst must say which.
- "(initial only)" marks a phase given on an initial request only.

A line that does not read is refused with its number; nothing is guessed. Reading then
writing a regimen gives the same words (`describe`), and the phases are judged by
`Phase.from_dict` as any other."""

from __future__ import annotations

import re
from typing import Any

from .dosing import Phase

EXAMPLE = (
    '"Loading: 150 mg subcutaneous at weeks 0, 1 and 2 (initial only)" or '
    '"Maintenance: 150 mg subcutaneous every 4 weeks from week 4"'
)
_NUMBER = r"\d+(?:\.\d+)?"
_PHASE = re.compile(
    rf"""^(?:(?P<name>[^:\d][^:]*?)\s*:\s*)?
    (?P<amount>{_NUMBER})\s*(?P<unit>[^\s/()]+?)(?P<per_kg>/kg)?
    (?:\s*\(\s*at\s+most\s+(?P<max>{_NUMBER})\s*[^\s)]*\s*\))?
    \s+(?P<route>.+?)
    \s+(?P<schedule>(?:at|every)\b.*?)
    (?P<initial_only>\s*[(,]?\s*initial\s+only\s*\)?)?
    \s*\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
_SERIES = re.compile(
    r"^at\s+(?P<unit>day|week)s?\s+(?P<offsets>\d+(?:\s*(?:,|and|,\s*and)\s*\d+)*)$",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"""^every\s+(?:(?P<every>\d+)\s+)?(?P<unit>days?|weeks?|calendar\s+months?|months?)
    (?:\s+from\s+(?P<start_unit>day|week)\s+(?P<start>\d+))?$""",
    re.IGNORECASE | re.VERBOSE,
)


def phases_from_words(text: str) -> list[dict[str, Any]]:
    """The phases of `text` as the policy document writes them; ValueError names the first
    line (1-based, blank lines counted) that does not read, and why."""
    phases: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for part in re.split(r";\s*then\s+", line.strip(), flags=re.IGNORECASE):
            if not part.strip():
                continue
            try:
                phases.append(_phase(part.strip()))
            except ValueError as error:
                raise ValueError(f"Line {number} ({part.strip()!r}): {error}") from None
    return phases


def _phase(words: str) -> dict[str, Any]:
    found = _PHASE.match(words)
    if found is None:
        raise ValueError(f"not read as a dose, a route and a schedule; write it as {EXAMPLE}.")
    unit = found["unit"]
    dose: dict[str, Any] = {"unit": unit}
    if found["per_kg"]:
        dose["per_kg"] = found["amount"]
        if found["max"]:
            dose["max"] = found["max"]
    elif found["max"]:
        raise ValueError('"at most" caps a dose per kilogram ("5 mg/kg (at most 400 mg)").')
    else:
        dose["amount"] = found["amount"]
    phase: dict[str, Any] = {
        "dose": dose,
        "route": found["route"].strip(),
        "schedule": _schedule(found["schedule"].strip()),
    }
    if found["name"]:
        phase = {"name": found["name"].strip(), **phase}
    if found["initial_only"]:
        phase["initial_only"] = True
    return Phase.from_dict(phase, "phase").to_dict()


def _schedule(words: str) -> dict[str, Any]:
    if series := _SERIES.match(words):
        offsets = [int(o) for o in re.findall(r"\d+", series["offsets"])]
        return {"at": offsets, "unit": series["unit"].lower()}
    repeat = _REPEAT.match(words)
    if repeat is None:
        raise ValueError(
            f'the schedule {words!r} is neither a series ("at weeks 0, 1 and 2") nor a '
            'repeating one ("every 4 weeks from week 4").'
        )
    unit = re.sub(r"\s+", " ", repeat["unit"].lower()).removesuffix("s")
    if unit == "month":
        raise ValueError(
            '"month" is ambiguous: write "every 4 weeks" or "every calendar month", whichever '
            "the policy means."
        )
    schedule: dict[str, Any] = {
        "every": int(repeat["every"] or 1),
        "unit": unit.replace(" ", "_"),
    }
    if repeat["start"] and int(repeat["start"]):
        schedule.update(start=int(repeat["start"]), start_unit=repeat["start_unit"].lower())
    return schedule
