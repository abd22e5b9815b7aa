"""A readable comparison of two policy documents: what a policy admin checks before publishing.

Pure Python on normalized documents (reviews.engine.document). Criteria are matched by label,
list items by name and test cases by name, so a moved or reworded node reads as one change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .document import iter_tree

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"


@dataclass(frozen=True)
class Segment:
    op: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class Row:
    section: str
    name: str
    status: str
    old: str
    new: str

    @property
    def segments(self) -> list[Segment]:
        """A word-level diff of old against new, for highlighting."""
        return word_diff(self.old, self.new)


def word_diff(old: str, new: str) -> list[Segment]:
    a, b = old.split(" "), new.split(" ")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment(SAME, " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment(REMOVED, " ".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment(ADDED, " ".join(b[j1:j2])))
    return segments


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if _text(v))
    return str(value)


def _row(section: str, name: str, old: Any, new: Any) -> Row:
    old_text, new_text = _text(old), _text(new)
    if old is None and new is not None:
        status = ADDED
    elif new is None and old is not None:
        status = REMOVED
    else:
        status = SAME if old_text == new_text else CHANGED
    return Row(section, name, status, old_text, new_text)


def _keyed(section: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Row]:
    """One row per key; where both sides hold a mapping (a criterion, a list item, a check),
    one row per field inside it, so a changed note reads as a changed note."""
    for key in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(key), new.get(key)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from _keyed(f"{section} {key}", before, after)
        else:
            yield _row(section, key, before, after)


def _nodes(criteria: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    nodes = {}
    for node, _path in iter_tree(criteria, ()):
        body = {k: v for k, v in node.items() if k not in ("children", "label")}
        body["children"] = [child["label"] for child in node.get("children", [])]
        nodes[node["label"]] = body
    return nodes


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Row]:
    """Every field of both documents, in document order, with its status."""
    rows: list[Row] = []
    rows += _keyed("Policy", old["policy"], new["policy"])
    a, b = old["version"], new["version"]
    scalar = [k for k in a if not isinstance(a[k], Mapping | list) and k != "criteria"]
    rows += (_row("Version", k, a.get(k), b.get(k)) for k in scalar)
    for section in ("dosing", "approval", "edits_and_denials"):
        rows += _keyed(section.replace("_", " ").capitalize(), a[section], b[section])
    rows += _keyed(
        "Indication",
        {i["key"]: i for i in a.get("indications") or ()},
        {i["key"]: i for i in b.get("indications") or ()},
    )
    for key in [*a["lists"], *(k for k in b["lists"] if k not in a["lists"])]:
        old_items = {i["name"]: i for i in a["lists"].get(key, {}).get("items", [])}
        new_items = {i["name"]: i for i in b["lists"].get(key, {}).get("items", [])}
        rows += _keyed(f"List {key}", old_items, new_items)
    rows += _keyed("Criteria", _nodes(a["criteria"]), _nodes(b["criteria"]))
    old_cases = {c["name"]: c for c in a["test_cases"]}
    new_cases = {c["name"]: c for c in b["test_cases"]}
    rows += _keyed("Test cases", old_cases, new_cases)
    return rows
