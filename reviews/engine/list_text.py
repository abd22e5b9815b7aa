"""A list's items pasted as lines, the way a policy prints them.

A policy lists its drugs or specialties one per line, often as "Brand (generic)", sometimes
with a bullet. Each line becomes an item: the name, the generic in parentheses, and any
synonyms after a semicolon, separated by commas:

    • Samplex (samplimab)
    Dermatology; dermatologist, skin specialist

What cannot be read is refused with its line, never guessed: an unclosed or empty
parenthesis, or a name given twice.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*•·◦▪–]|\d+[.)]|[a-z][.)])\s+", re.IGNORECASE)
_NAME = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<generic>[^()]*)\))?\s*$")


class ListTextError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def list_items_read(text: str) -> list[dict]:
    """The items of the lines (name, generic, synonyms), in order; blank lines are skipped."""
    items: list[dict] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BULLET.sub("", raw).strip().rstrip(".,;")
        if not line:
            continue
        head, _, tail = line.partition(";")
        found = _NAME.match(head.strip())
        if not found or (found["generic"] is not None and not found["generic"].strip()):
            problems.append(
                f"Line {number} ({raw.strip()!r}) is not “Name”, “Name (generic)” or "
                "“Name; synonyms”."
            )
            continue
        name = " ".join(found["name"].split())
        if name.casefold() in seen:
            problems.append(f"Line {number} repeats {name!r} (line {seen[name.casefold()]}).")
            continue
        seen[name.casefold()] = number
        items.append(
            {
                "name": name,
                "generic": " ".join((found["generic"] or "").split()),
                "as_written": "",
                "synonyms": [s.strip() for s in tail.split(",") if s.strip()],
            }
        )
    if problems:
        raise ListTextError(problems)
    return items
