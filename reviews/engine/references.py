"""Reference lists: drug classes kept as data beside the policies, not inside any one of them.

A policy's own list is often "examples include ...", not a closed list; a reference list names
every current member of a class (and, apart, medications known not to belong to it), so a
check can tell a new agent from an unrelated medication. The format:

    format: priorauth-reference/1
    name: <file name without .yaml>      # what a check's `reference` param names
    title: ...
    note: ...                            # free text: scope, how it was checked
    agents:                              # members of the class
      - ingredient: <generic name>
        brands: [<Brand>]
        synonyms: [<other name>]
        note: ...
        sources: [{title: ..., url: ...}]
    not_agents:                          # known non-members, with what they are for
      - ingredient: <generic name>
        brands: [<Brand>]
        use: <what it treats>

Entries become list items (name = ingredient, synonyms = brands and synonyms), so they match
medication text the same way a policy's list items do (checks.matches_item). Parsing is pure:
the caller reads the file and keeps the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

FORMAT = "priorauth-reference/1"
_ENTRY_KEYS = {"ingredient", "brands", "synonyms", "note", "sources", "use"}
_SOURCE_KEYS = {"title", "url", "note"}


@dataclass(frozen=True)
class ReferenceList:
    name: str
    title: str
    agents: tuple[Mapping[str, Any], ...]
    not_agents: tuple[Mapping[str, Any], ...] = ()


References = Mapping[str, ReferenceList]


class ReferenceError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def parse_reference(text: str) -> ReferenceList:
    """YAML text -> a ReferenceList; ReferenceError lists every problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ReferenceError([f"YAML: {error}"]) from None
    if not isinstance(data, Mapping):
        raise ReferenceError(["a reference list is a mapping with format, name, title, agents"])
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"format must be {FORMAT!r}, not {data.get('format')!r}")
    for key in ("name", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{key} must be non-empty text")
    unknown = set(data) - {"format", "name", "title", "note", "agents", "not_agents"}
    problems += [f"unknown key {key!r}" for key in sorted(map(str, unknown))]
    agents = _entries(data.get("agents"), "agents", problems, required=True)
    not_agents = _entries(data.get("not_agents"), "not_agents", problems, required=False)
    if problems:
        raise ReferenceError(problems)
    return ReferenceList(str(data["name"]), str(data["title"]), agents, not_agents)


def _entries(
    value: Any, where: str, problems: list[str], *, required: bool
) -> tuple[Mapping[str, Any], ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        problems.append(f"{where} must be a non-empty list of entries")
        return ()
    items = []
    for i, entry in enumerate(value):
        place = f"{where}[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{place} must be a mapping")
            continue
        problems += [
            f"{place}: unknown key {k!r}" for k in sorted(map(str, set(entry) - _ENTRY_KEYS))
        ]
        ingredient = entry.get("ingredient")
        if not isinstance(ingredient, str) or not ingredient.strip():
            problems.append(f"{place}.ingredient must be non-empty text")
            continue
        names = []
        for key in ("brands", "synonyms"):
            listed = entry.get(key) or []
            if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
                problems.append(f"{place}.{key} must be a list of names")
                listed = []
            names += listed
        _check_sources(entry.get("sources"), f"{place}.sources", problems)
        items.append(
            {
                "name": ingredient,
                "generic": ingredient,
                "synonyms": names,
                "brands": list(entry.get("brands") or []),
                "use": str(entry.get("use") or ""),
            }
        )
    return tuple(items)


def _check_sources(value: Any, where: str, problems: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        problems.append(f"{where} must be a list of {{title, url}}")
        return
    for i, source in enumerate(value):
        if not isinstance(source, Mapping) or not isinstance(source.get("title"), str):
            problems.append(f"{where}[{i}] needs a title")
        elif set(source) - _SOURCE_KEYS:
            problems.append(f"{where}[{i}]: unknown key {sorted(set(source) - _SOURCE_KEYS)[0]!r}")


def item_label(item: Mapping[str, Any]) -> str:
    """ "<Brand> (<ingredient>)" for an entry with brands, else the ingredient."""
    brands = ", ".join(item.get("brands") or ())
    return f"{brands} ({item['name']})" if brands else str(item["name"])
