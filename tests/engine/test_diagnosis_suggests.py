"""diagnosis_suggests: code prefixes in the policy's data suggest an answer; nothing else does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviews.engine.checks import (
    CHECKS,
    Facts,
    Suggestion,
    check_problems,
    check_stands_as_evidence,
    suggest,
)
from reviews.engine.document import DocumentError, dump, parse
from reviews.engine.tree import Answer, Check

MET, NOT_MET, NOT_DOCUMENTED = Answer.MET, Answer.NOT_MET, Answer.NOT_DOCUMENTED
CODES = {
    "G35.A": {"answer": "met", "meaning": "Relapsing-remitting multiple sclerosis"},
    "G35.B0": {
        "answer": "not_met",
        "meaning": "Primary progressive multiple sclerosis, unspecified",
    },
    "G35.B1": {"answer": "not_met", "meaning": "Active primary progressive multiple sclerosis"},
    "G35.B2": {"answer": "not_met", "meaning": "Non-active primary progressive multiple sclerosis"},
    "G35.C1": {"answer": "met", "meaning": "Active secondary progressive multiple sclerosis"},
    "G35.C2": {
        "answer": "not_met",
        "meaning": "Non-active secondary progressive multiple sclerosis",
    },
}
RELAPSING = Check("diagnosis_suggests", {"codes": CODES, "source": "FY2026 ICD-10-CM"})


def suggestion_for(*codes: str) -> Suggestion | None:
    return suggest(RELAPSING, Facts(request_date=date(2026, 11, 28), diagnosis_codes=codes), {})


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("G35.A", MET),
        ("G35.B0", NOT_MET),
        ("G35.B1", NOT_MET),
        ("G35.B2", NOT_MET),
        ("G35.C0", None),  # secondary progressive, activity unspecified: says nothing
        ("G35.C1", MET),
        ("G35.C2", NOT_MET),
        ("G35.D", None),  # MS, unspecified
        ("G35", None),  # the code before FY2026
        ("R26.89", None),
        ("g35a", MET),
        (" G35 . C1 ", MET),
    ],
)
def test_every_g35_subcode(code, expected):
    suggestion = suggestion_for(code)
    assert (suggestion.answer if suggestion else None) == expected


def test_the_reason_names_the_code_and_its_meaning():
    assert suggestion_for("G35.B1") == Suggestion(
        NOT_MET,
        "Diagnosis code G35.B1 (Active primary progressive multiple sclerosis). "
        "A code alone does not show it: cite the clinical notes.",
    )


def test_codes_that_agree_are_named_together_and_others_ignored():
    suggestion = suggestion_for("R26.89", "G35.A", "G35.C1")
    assert suggestion is not None and suggestion.answer == MET
    assert "codes G35.A (Relapsing-remitting" in suggestion.reason
    assert "G35.C1 (Active secondary progressive" in suggestion.reason
    assert "R26.89" not in suggestion.reason


def test_codes_that_disagree_leave_it_to_the_reviewer():
    suggestion = suggestion_for("G35.A", "G35.B2")
    assert suggestion is not None and suggestion.answer == NOT_DOCUMENTED
    assert "point different ways" in suggestion.reason


def test_no_codes_no_suggestion():
    assert suggestion_for() is None


def test_the_longest_prefix_wins():
    codes = {
        "G35": {"answer": "met", "meaning": "Multiple sclerosis"},
        "G35.B": {"answer": "not_met", "meaning": "Primary progressive multiple sclerosis"},
    }
    check = Check("diagnosis_suggests", {"codes": codes})
    facts = Facts(request_date=date(2026, 11, 28), diagnosis_codes=("G35.B1",))
    assert suggest(check, facts, {}).answer == NOT_MET


@pytest.mark.parametrize(
    ("codes", "fragment"),
    [
        ([], "must be a mapping of diagnosis code prefix"),
        ({}, "must be a mapping of diagnosis code prefix"),
        ("G35.A", "must be a mapping of diagnosis code prefix"),
        ({"hello world": {"answer": "met", "meaning": "x"}}, "not a diagnosis code"),
        ({"G35.A": "met"}, "exactly an answer and a meaning"),
        ({"G35.A": {"answer": "met"}}, "exactly an answer and a meaning"),
        ({"G35.A": {"answer": "maybe", "meaning": "x"}}, "the answer met or not_met"),
        ({"G35.A": {"answer": "not_documented", "meaning": "x"}}, "the answer met or not_met"),
        ({"G35.A": {"answer": "met", "meaning": " "}}, "a meaning"),
        (
            {"G35.A": {"answer": "met", "meaning": "x"}, "G35A": {"answer": "met", "meaning": "x"}},
            "the same code twice",
        ),
    ],
)
def test_bad_params_are_a_clear_problem(codes, fragment):
    problems = check_problems(Check("diagnosis_suggests", {"codes": codes}), {})
    assert len(problems) == 1 and "parameter 'codes'" in problems[0], problems
    assert fragment in problems[0]


def test_other_param_problems():
    assert check_problems(Check("diagnosis_suggests", {}), {}) == [
        "Check diagnosis_suggests: missing parameter 'codes'."
    ]
    extra = Check("diagnosis_suggests", {"codes": CODES, "list": "x"})
    assert check_problems(extra, {}) == ["Check diagnosis_suggests: unknown parameter 'list'."]
    assert check_problems(RELAPSING, {}) == []


def test_which_checks_stand_as_evidence():
    # Checks that infer from clinical data only suggest: the reviewer cites the record.
    assert {name for name, spec in CHECKS.items() if not spec.stands_as_evidence} == {
        "diagnosis_suggests",
        "diagnosis_code_in",
        "lab_value",
        "tried_and_failed_at_least",
        "tried_at_least",
        "events_at_least",
        "percent_change",
        "bmi_at_least",
    }
    for name in (
        "age_at_least",
        "age_under",
        "specialty_in",
        "no_concurrent_agents",
        "months_on_drug_at_least",
    ):
        assert check_stands_as_evidence(Check(name, {})), name
    assert not check_stands_as_evidence(RELAPSING)
    assert not check_stands_as_evidence(None)
    assert not check_stands_as_evidence(Check("no_such_check", {}))


# ---- in a policy document ------------------------------------------------------------------

KESIMPTA = Path(__file__).resolve().parents[2] / "policies" / "kesimpta-2020910.yaml"


def test_a_bad_code_map_in_the_policy_is_a_problem_at_its_place():
    text = KESIMPTA.read_text(encoding="utf-8").replace("answer: met", "answer: maybe", 1)
    with pytest.raises(DocumentError) as caught:
        parse(text)
    (problem,) = caught.value.problems
    assert problem.where == "version.criteria.children[0].check.params.codes"
    assert "must give G35.A the answer met or not_met, not 'maybe'" in problem.message


def test_the_code_map_is_written_in_sorted_order_whatever_order_it_was_stored_in():
    """A JSON column (PostgreSQL jsonb) does not keep key order; export must not change."""
    text = KESIMPTA.read_text(encoding="utf-8")
    doc = parse(text)
    pre1 = doc["version"]["criteria"]["children"][0]["check"]["params"]
    pre1["codes"] = {
        code: dict(reversed(entry.items())) for code, entry in reversed(pre1["codes"].items())
    }
    assert dump(doc) == text
