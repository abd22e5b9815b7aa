"""A policy version's own test cases: each says what the criteria must decide for a request.

A case gives answers for some leaves and, optionally, the facts of a request; computable leaves
it leaves unanswered take the suggestion the facts give (as a reviewer who confirms every
suggestion would). The tree is then evaluated on the case's path and compared with `expect`.
The requested drug of every case is any of the policy's own (every brand and generic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .checks import Facts, LabResult, Medication, PriorTherapy, Suggestion, suggest_all
from .document import tree_from_dict
from .drugs import all_names
from .references import References
from .tree import Answer, Evaluation, evaluate


@dataclass(frozen=True)
class TestCaseResult:
    __test__ = False  # not a pytest test class, whatever its name says

    name: str
    passed: bool
    messages: list[str] = field(default_factory=list)
    evaluation: Evaluation | None = None


def run_test_cases(
    doc: Mapping[str, Any], *, references: References | None = None
) -> list[TestCaseResult]:
    return [
        run_test_case(doc, case, references=references) for case in doc["version"]["test_cases"]
    ]


def run_test_case(
    doc: Mapping[str, Any], case: Mapping[str, Any], *, references: References | None = None
) -> TestCaseResult:
    """Run one case of a normalized document (see document.parse / document.normalize).

    references: the reference lists its checks name; a check naming one not given fails the
    case ("Could not run").
    """
    version = doc["version"]
    path = case["request_type"]
    expect = case["expect"]
    try:
        root = tree_from_dict(version["criteria"])
        facts = case.get("facts")
        suggestions = (
            suggest_all(
                root,
                facts_from_dict(facts, requested_drug=requested_drug(doc)),
                version["lists"],
                path=path,
                references=references,
            )
            if facts
            else {}
        )
        answers = {label: Answer(value) for label, value in (case.get("answers") or {}).items()}
        for label, suggestion in suggestions.items():
            answers.setdefault(label, suggestion.answer)
        evaluation = evaluate(root, answers, path=path)
    except (ValueError, KeyError) as error:
        return TestCaseResult(case["name"], False, [f"Could not run: {error}"])

    messages = [
        *_result_messages(expect, evaluation),
        *_failing_messages(expect.get("failing"), evaluation),
        *_suggestion_messages(expect.get("suggestions"), suggestions),
    ]
    return TestCaseResult(case["name"], not messages, messages, evaluation)


def requested_drug(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The names of the policy's drugs: every brand and generic it lists, in order."""
    policy = doc.get("policy") or {}
    return all_names(policy.get("drugs") or ())


def facts_from_dict(facts: Mapping[str, Any], *, requested_drug: tuple[str, ...] = ()) -> Facts:
    """Facts from a test case's normalized `facts` mapping."""
    return Facts(
        request_date=facts["request_date"],
        member_dob=facts.get("member_dob"),
        prescriber_specialty=facts.get("prescriber_specialty") or "",
        consulting_specialty=facts.get("consulting_specialty") or "",
        consulting_name=facts.get("consulting_name") or "",
        consult_date=facts.get("consult_date"),
        medications=tuple(
            Medication(m["name"], m.get("stop_date")) for m in facts.get("medications") or ()
        ),
        therapy_start_date=facts.get("therapy_start_date"),
        labs=tuple(
            LabResult(
                lab["name"], Decimal(str(lab["value"])), lab.get("unit") or "", lab.get("date")
            )
            for lab in facts.get("labs") or ()
        ),
        prior_therapies=tuple(
            PriorTherapy(t["name"], t.get("outcome") or "")
            for t in facts.get("prior_therapies") or ()
        ),
        diagnosis_codes=tuple(facts.get("diagnosis_codes") or ()),
        requested_drug=requested_drug,
    )


def _result_messages(expect: Mapping[str, Any], evaluation: Evaluation) -> list[str]:
    messages = []
    if evaluation.result != expect["result"]:
        failing = ", ".join(evaluation.failing) or "none"
        messages.append(
            f"Result: expected {expect['result']}, got {evaluation.result} "
            f"(failing leaves: {failing})."
        )
    if expect.get("path") is not None and evaluation.path != expect["path"]:
        messages.append(f"Path: expected {expect['path']}, got {evaluation.path}.")
    return messages


def _failing_messages(expected: list[str] | None, evaluation: Evaluation) -> list[str]:
    if expected is None or set(expected) == set(evaluation.failing):
        return []
    missing = [label for label in expected if label not in evaluation.failing]
    extra = [label for label in evaluation.failing if label not in expected]
    details = []
    if missing:
        details.append(f"expected but not failing: {', '.join(missing)}")
    if extra:
        details.append(f"failing but not expected: {', '.join(extra)}")
    return [
        f"Failing leaves: expected [{', '.join(expected)}], got "
        f"[{', '.join(evaluation.failing)}] ({'; '.join(details)})."
    ]


def _suggestion_messages(
    expected: Mapping[str, str] | None, suggestions: Mapping[str, Suggestion]
) -> list[str]:
    messages = []
    for label, answer in (expected or {}).items():
        suggestion = suggestions.get(label)
        if suggestion is None:
            messages.append(
                f"Suggestion for {label}: expected {answer}, got none "
                f"(the facts do not decide it, or it is not on this path)."
            )
        elif suggestion.answer != answer:
            messages.append(
                f"Suggestion for {label}: expected {answer}, got {suggestion.answer} "
                f"({suggestion.reason})"
            )
    return messages
