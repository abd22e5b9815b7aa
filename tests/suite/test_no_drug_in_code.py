"""Nothing drug-specific in code: policies are data.

Every policy in policies/ and every reference list in policies/reference/ gives the words
that belong to it alone: its drugs' brands and generics, its drug lists' items (names,
generics, synonyms), its reference agents (ingredients, brands, synonyms), the condition it is
for and that condition's abbreviation, and its criteria labels that are distinctive. None of
them may appear in the app's Python code or templates (comments and docstrings included).
Allowed homes: policies/ itself, the tests and their fixtures (tests/), the demo seed
(reviews/management/commands/seed_demo.py), the benchmark scripts (scripts/bench_*.py, which
like the seed run the real policy on sample data), migrations (they move existing data as it
was) and docs/.

What is not searched, and why:
- the items of specialty lists (those a `specialty_in` check names): "Neurology" is a medical
  specialty any intake form may offer, not a word of one policy;
- labels too short or too common to search for safely: a label without a separator or without
  a digit ("1", "A", "root") would match ordinary code; only labels like "1.A.ii", "PRE-2" or
  "1.B.duration" are searched;
- names shorter than four letters, except a condition's abbreviation, which is searched in
  capitals only ("MS", not "ms" as in milliseconds).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from reviews.engine import document

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))
REFERENCES = sorted((ROOT / "policies" / "reference").glob("*.yaml"))
ALLOWED = (
    "policies/",
    "tests/",
    "docs/",
    "reviews/management/commands/seed_demo.py",
    "scripts/bench_",
)
CODE_SUFFIXES = {".py", ".html", ".txt", ".js"}
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__", "migrations", "staticfiles"}
MIN_NAME = 4


def _label_is_distinctive(label: str) -> bool:
    return bool(re.search(r"[.\-]", label) and re.search(r"\d", label) and len(label) >= 3)


def _policy_terms(path: Path) -> Iterator[tuple[str, str]]:
    doc = document.parse(path.read_text(encoding="utf-8"))
    for drug in doc["policy"]["drugs"]:
        yield "name", drug["brand"]
        yield "name", drug["generic"]
    version = doc["version"]
    specialty_lists = {
        node["check"]["params"].get("list")
        for node, _ in document.iter_tree(version["criteria"], ())
        if node["check"] and node["check"]["name"] == "specialty_in"
    }
    for key, listed in version["lists"].items():
        if key in specialty_lists:
            continue
        for item in listed["items"]:
            yield "name", item["name"]
            yield "name", item["generic"]
            yield from (("name", s) for s in item["synonyms"])
    condition = version["dosing"]["condition"]
    for abbreviation in re.findall(r"\(([A-Z]{2,})\)", condition):
        yield "abbreviation", abbreviation
    yield "name", re.sub(r"\s*\(.*", "", condition)
    for node, _ in document.iter_tree(version["criteria"], ()):
        if _label_is_distinctive(node["label"]):
            yield "label", node["label"]


def _reference_terms(path: Path) -> Iterator[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for agent in [*(data.get("agents") or []), *(data.get("not_agents") or [])]:
        yield "name", agent.get("ingredient") or ""
        yield from (("name", b) for b in agent.get("brands") or [])
        yield from (("name", s) for s in agent.get("synonyms") or [])


def _terms() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for kind, term in [
        *(t for p in POLICIES for t in _policy_terms(p)),
        *(t for p in REFERENCES for t in _reference_terms(p)),
    ]:
        term = " ".join(term.split())
        if kind == "abbreviation":
            found[term] = re.compile(rf"\b{re.escape(term)}\b")
        elif kind == "label":
            found[term] = re.compile(rf"(?<![\w.-]){re.escape(term)}(?![\w-])")
        elif len(re.sub(r"\W", "", term)) >= MIN_NAME:
            found[term.casefold()] = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
    return found


def _code_files() -> Iterator[Path]:
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if set(rel.parts) & SKIPPED_DIRS or path.suffix not in CODE_SUFFIXES:
            continue
        if path.is_file() and not str(rel).startswith(ALLOWED):
            yield path


def test_the_policies_give_words_to_look_for():
    terms = _terms()
    assert POLICIES and REFERENCES
    # A sample that must be collected, or the scan below proves nothing.
    assert {"kesimpta", "ofatumumab", "1.A.ii", "PRE-2", "MS"} <= set(terms)
    assert "1" not in terms and "root" not in terms


def test_no_drug_name_or_label_in_code():
    terms = _terms()
    hits = []
    for path in _code_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for term, pattern in terms.items():
                if pattern.search(line):
                    rel = path.relative_to(ROOT)
                    hits.append(f"{rel}:{number}: {term!r} in {line.strip()[:100]}")
    assert hits == [], "policy words in code:\n" + "\n".join(hits)


@pytest.mark.parametrize(
    "line,term",
    [
        ('help_text="e.g. Kesimpta"', "kesimpta"),
        ("# see criterion 1.A.ii", "1.A.ii"),
        ("for MS agents", "MS"),
    ],
)
def test_the_scan_would_catch(line, term):
    assert _terms()[term].search(line)


@pytest.mark.parametrize("line", ["timeout_ms = 5", "version 21.A.iix", "root = tree"])
def test_the_scan_leaves_ordinary_code_alone(line):
    terms = _terms()
    assert not [t for t, p in terms.items() if p.search(line)]
