"""The document format's if nodes, negate and the params of the clinical checks: read, written
back unchanged, and every mistake reported at its place and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviews.engine.document import DocumentError, Problem, dump, parse, tree_from_dict
from reviews.engine.testcases import run_test_cases
from reviews.engine.tree import Check, Kind

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "conditional-checks.yaml"
TEXT = FILE.read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, f"{old!r} must occur exactly once"
    return TEXT.replace(old, new)


def line_of(text: str, needle: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} must be on exactly one line"
    return lines[0]


def only_problem(text: str) -> Problem:
    with pytest.raises(DocumentError) as raised:
        parse(text)
    (problem,) = raised.value.problems
    return problem


def test_the_file_is_canonical_and_its_test_cases_pass():
    doc = parse(TEXT)
    assert dump(doc) == TEXT
    results = run_test_cases(doc)
    assert [(r.name, r.messages) for r in results if not r.passed] == []
    assert len(results) == 3


def test_if_and_negate_reach_the_tree():
    root = tree_from_dict(parse(TEXT)["version"]["criteria"])
    conditional = next(c for c in root.children if c.label == "child")
    assert conditional.kind == Kind.IF
    assert [c.label for c in conditional.children] == ["child.age", "child.specialist"]
    pregnancy = next(c for c in root.children if c.label == "not_pregnant")
    assert pregnancy.check == Check(
        "events_at_least",
        {"count": 1, "event": "pregnancy", "within": {"count": 9, "unit": "calendar_month"}},
        negate=True,
    )


def test_negate_false_is_left_out_of_the_file():
    text = edited("          negate: true\n", "          negate: false\n")
    assert "negate" not in dump(parse(text))


def test_an_if_needs_exactly_two_children():
    text = edited(
        "          - label: child.specialist\n"
        "            kind: leaf\n"
        "            text: Prescribed by a pediatric lipid specialist\n",
        "",
    ).replace("answers: {step: met, bmi: met, not_pregnant: met}", "answers: {}")
    text = text.replace("        failing: [child.specialist]\n", "")
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children"
    assert problem.line == line_of(text, "kind: if") + 2
    assert problem.message.startswith("an if has exactly two children")


def test_an_if_has_no_check_and_its_children_no_path():
    text = edited(
        "        text: If the patient is under 10 years of age\n",
        "        text: If the patient is under 10 years of age\n"
        "        check: {name: age_under, params: {years: 10}}\n",
    )
    problem = only_problem(text)
    assert (problem.where, problem.message) == (
        "version.criteria.children[1].check",
        "only a leaf has a check",
    )
    text = edited(
        "            text: Prescribed by a pediatric lipid specialist\n",
        "            text: Prescribed by a pediatric lipid specialist\n            path: initial\n",
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children[1].path"
    inserted = text.index("specialist\n            path: initial")
    assert problem.line == text[:inserted].count("\n") + 2
    assert "a child of an if has no path of its own" in problem.message
    # Nor an indication: the if would lose a child for the other indications.
    text = edited(
        "            text: Prescribed by a pediatric lipid specialist\n",
        "            text: Prescribed by a pediatric lipid specialist\n"
        "            indication: main\n",
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children[1].indication"
    assert "a child of an if has no indication of its own" in problem.message


def test_negate_must_be_true_or_false():
    text = edited("          negate: true\n", "          negate: maybe\n")
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[2].check.negate"
    assert problem.line == line_of(text, "negate: maybe")
    assert problem.message == "must be true or false, not 'maybe'"


@pytest.mark.parametrize(
    ("old", "new", "param", "fragment"),
    [
        (
            "              count: 90\n              unit: day\n",
            "              count: 90\n              unit: fortnight\n",
            "within",
            "must have a unit of day, week, calendar_month, year, not 'fortnight'",
        ),
        (
            "              - min_age: 16\n",
            "              - min_age: 17\n",
            "thresholds",
            "band 2 starts at age 17, but must start at 16",
        ),
        (
            "                min_dose: '40'\n",
            "                min_dose: forty\n",
            "min_dose",
            "must be a number, not 'forty'",
        ),
        (
            "                  count: 3\n                  unit: calendar_month\n",
            "                  count: 0\n                  unit: calendar_month\n",
            "min_duration",
            "must have a count of 1 or more, not 0",
        ),
        (
            "                baseline: before_therapy_start\n",
            "                baseline: first\n",
            "baseline",
            "must be earliest or before_therapy_start, not 'first'",
        ),
        (
            "                value: '25'\n",
            "                value: heavy\n",
            "value",
            "must be a number, not 'heavy'",
        ),
        (
            "                years: 10\n",
            "                years: ten\n",
            "years",
            "must be a whole number of 0 or more, not 'ten'",
        ),
        (
            "            event: pregnancy\n",
            "            event: ''\n",
            "event",
            "must be non-empty text, not ''",
        ),
    ],
)
def test_each_param_kind_is_checked_at_its_place(old, new, param, fragment):
    text = edited(old, new)
    problem = only_problem(text)
    assert problem.where.endswith(f".check.params.{param}")
    # The line of the parameter's key, at or above the line that was changed.
    lines = text.splitlines()
    assert lines[problem.line - 1].strip().startswith(f"{param}:")
    assert problem.line <= text[: text.index(new)].count("\n") + 1
    assert fragment in problem.message, problem.message


def test_a_check_that_needs_one_of_two_params_says_so_at_the_check():
    text = edited("                dose_unit: mg\n", "")
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[3].children[0].check"
    assert problem.message == "Check tried_at_least: min_dose needs its dose_unit (e.g. mg)."
