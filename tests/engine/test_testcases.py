"""The test-case runner: a policy's own cases pass, and a wrong expectation says what differed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reviews.engine.document import iter_tree, normalize, parse
from reviews.engine.references import parse_reference
from reviews.engine.testcases import TestCaseResult, run_test_case, run_test_cases
from reviews.engine.tree import Truth

ROOT = Path(__file__).resolve().parents[2]
STATIN_FILE = ROOT / "tests" / "fixtures" / "policies" / "statin-step-therapy.yaml"
KESIMPTA_FILE = ROOT / "policies" / "kesimpta-2020910.yaml"
REFERENCE = parse_reference(
    (ROOT / "policies" / "reference" / "ms-disease-modifying-therapies.yaml").read_text()
)
REFERENCES = {REFERENCE.name: REFERENCE}


@pytest.fixture(scope="module")
def statin() -> dict[str, Any]:
    return parse(STATIN_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kesimpta() -> dict[str, Any]:
    return parse(KESIMPTA_FILE.read_text(encoding="utf-8"))


def case_named(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    (case,) = [c for c in doc["version"]["test_cases"] if c["name"].startswith(prefix)]
    return copy.deepcopy(case)


def test_the_second_policys_cases_pass(statin: dict[str, Any]) -> None:
    results = run_test_cases(statin)
    assert len(results) == len(statin["version"]["test_cases"]) >= 10
    assert [(r.name, r.messages) for r in results if not r.passed] == []
    assert all(isinstance(r, TestCaseResult) and r.evaluation for r in results)


def test_the_second_policy_has_a_different_shape(statin: dict[str, Any]) -> None:
    version = statin["version"]
    assert statin["policy"]["drugs"][0]["hcpcs_codes"] == ["J3590"]
    (indication,) = version["indications"]
    assert indication["approval"] == {
        "initial": {"count": 180, "unit": "day"},
        "extended": {"count": 365, "unit": "day"},
    }
    assert indication["regimen"]["phases"][0]["schedule"] == {"every": 2, "unit": "week"}
    kinds = {node["kind"] for node, _ in iter_tree(version["criteria"], ())}
    assert kinds == {"all", "any", "k_of_n", "leaf"}
    checks = {
        node["check"]["name"] for node, _ in iter_tree(version["criteria"], ()) if node["check"]
    }
    assert checks >= {"tried_and_failed_at_least", "lab_value", "diagnosis_code_in"}


def test_a_wrong_result_is_reported_with_the_failing_leaves(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: 17 years old")
    case["expect"]["result"] = "met"
    result = run_test_case(kesimpta, case, references=REFERENCES)
    assert not result.passed
    assert result.messages == [
        "Result: expected met, got not_met (failing leaves: 1.A.ii).",
    ]
    assert result.evaluation is not None and result.evaluation.result == Truth.NOT_MET


def test_a_wrong_failing_list_names_what_is_missing_and_extra(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: primary progressive MS")
    case["expect"]["failing"] = ["PRE-1", "PRE-2"]
    result = run_test_case(kesimpta, case, references=REFERENCES)
    assert result.messages == [
        "Failing leaves: expected [PRE-1, PRE-2], got [PRE-1, 1.A.i] "
        "(expected but not failing: PRE-2; failing but not expected: 1.A.i)."
    ]


def test_failing_order_does_not_matter(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: primary progressive MS")
    case["expect"]["failing"] = ["1.A.i", "PRE-1"]
    assert run_test_case(kesimpta, case, references=REFERENCES).passed


def test_a_wrong_suggestion_quotes_the_checks_reason(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: 17 years old")
    case["expect"]["suggestions"]["1.A.ii"] = "met"
    case["expect"]["suggestions"]["1.A.i"] = "met"
    result = run_test_case(kesimpta, case, references=REFERENCES)
    assert result.messages == [
        "Suggestion for 1.A.ii: expected met, got not_met "
        "(17 years old on 2026-11-28 (born 2008-11-29); at least 18 required.)",
        "Suggestion for 1.A.i: expected met, got none "
        "(the facts do not decide it, or it is not on this path).",
    ]


def test_a_wrong_path_is_reported(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: every criterion met")
    case["expect"]["path"] = "continuation"
    assert run_test_case(kesimpta, case, references=REFERENCES).messages == [
        "Path: expected continuation, got initial."
    ]


def test_an_answer_overrides_the_suggestion(kesimpta: dict[str, Any]) -> None:
    # The reviewer saw a later consult note: the answer stands, whatever the facts suggest.
    case = case_named(kesimpta, "initial: family physician without")
    case["answers"]["1.A.iii"] = "met"
    case["expect"] = {"result": "met", "path": "initial", "failing": [], "suggestions": None}
    assert run_test_case(kesimpta, case, references=REFERENCES).passed


def test_without_facts_nothing_is_suggested(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: 17 years old")
    case["facts"] = None
    result = run_test_case(kesimpta, case, references=REFERENCES)
    assert not result.passed
    assert result.evaluation is not None
    assert set(result.evaluation.unanswered) == {"PRE-2", "1.A.ii", "1.A.iii"}
    assert result.messages[0] == (
        "Result: expected not_met, got unknown (failing leaves: PRE-2, 1.A.ii, 1.A.iii)."
    )


def test_a_case_that_cannot_run_says_why(kesimpta: dict[str, Any]) -> None:
    doc = copy.deepcopy(kesimpta)
    doc["version"]["criteria"]["children"][0]["check"] = {"name": "no_such_check", "params": {}}
    case = case_named(kesimpta, "initial: 17 years old")
    result = run_test_case(doc, case, references=REFERENCES)
    assert not result.passed
    assert result.evaluation is None
    assert result.messages[0].startswith("Could not run: Unknown check 'no_such_check'")


# ---- expect.quantity -----------------------------------------------------------------------


def _with_quantity(doc: dict[str, Any], case: dict[str, Any], **quantity: Any) -> dict[str, Any]:
    """The document with `case` (its expect.quantity set) as its only test case, read again."""
    case["expect"]["quantity"] = quantity
    changed = copy.deepcopy(doc)
    changed["version"]["test_cases"] = [case]
    return normalize(changed)


def test_a_quantity_over_the_paths_approval_period(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: 18th birthday")
    # Initial, 365 days from 2026-11-28: 3 loading doses and 12 monthly from week 4.
    doc = _with_quantity(kesimpta, case, amount="300", unit="mg", doses=15)
    assert run_test_cases(doc, references=REFERENCES)[0].messages == []
    doc = _with_quantity(kesimpta, case, amount="320", unit="mg")
    assert run_test_cases(doc, references=REFERENCES)[0].messages == [
        "Quantity: expected 320 mg in 15 doses, got 300 mg in 15 doses over 365 days "
        "from 2026-11-28 on the initial path."
    ]
    doc = _with_quantity(kesimpta, case, amount="300", unit="mg", doses=16)
    assert not run_test_cases(doc, references=REFERENCES)[0].passed


def test_a_continuation_quantity_counts_from_a_start_key(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "continuation: objective response")
    assert not case.get("facts")  # no request date: the start is given
    doc = _with_quantity(kesimpta, case, amount="240", unit="mg", doses=12, start="2027-01-31")
    assert run_test_cases(doc, references=REFERENCES)[0].messages == []
    doc = _with_quantity(kesimpta, case, amount="240", unit="mg")
    assert run_test_cases(doc, references=REFERENCES)[0].messages == [
        "Quantity: give quantity.start or facts.request_date to count from."
    ]


def test_a_quantity_without_a_dosing_rule_says_so(kesimpta: dict[str, Any]) -> None:
    case = case_named(kesimpta, "initial: 18th birthday")
    doc = _with_quantity(kesimpta, case, amount="300", unit="mg")
    doc["version"]["indications"][0]["regimen"] = None
    assert run_test_cases(doc, references=REFERENCES)[0].messages == [
        "Quantity: the indication relapsing_ms has no dosing rule to count."
    ]


TWO = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "two-indications.yaml"


def _run_on_two_indications(**changes: Any) -> TestCaseResult:
    """A case of the two-indication fixture, changed, run as the version's only case."""
    doc = parse(TWO.read_text(encoding="utf-8"))
    case = copy.deepcopy(case_named(doc, "NMOSD, initial: the MS criteria are not asked"))
    case.update(changes)
    doc["version"]["test_cases"] = [case]
    doc = normalize(doc)
    return run_test_case(doc, doc["version"]["test_cases"][0])


def test_without_a_named_indication_the_diagnosis_codes_choose_it() -> None:
    result = _run_on_two_indications(
        indication=None,
        facts={"request_date": "2026-11-28", "diagnosis_codes": ["G36.0"]},
        expect={"result": "met", "indication": "nmosd", "failing": []},
    )
    assert result.messages == [] and result.evaluation.indication == "nmosd"


def test_expect_indication_names_the_one_evaluated() -> None:
    result = _run_on_two_indications(
        indication=None,
        facts={"request_date": "2026-11-28", "diagnosis_codes": ["G35.A"]},
        expect={"result": "met", "indication": "nmosd"},
    )
    assert "Indication: expected nmosd, got relapsing_ms." in result.messages
    # Codes that fit both indications choose none: every indication's criteria are evaluated.
    result = _run_on_two_indications(
        indication=None,
        facts={"request_date": "2026-11-28", "diagnosis_codes": ["G35.A", "G36.0"]},
        expect={"result": "met", "indication": "nmosd"},
    )
    assert "Indication: expected nmosd, got none." in result.messages
    # A named indication stands against the codes (the nurse may choose it, with a reason).
    result = _run_on_two_indications(
        facts={"request_date": "2026-11-28", "diagnosis_codes": ["G35.A"]},
        expect={"result": "met", "indication": "nmosd", "failing": []},
    )
    assert result.messages == []
