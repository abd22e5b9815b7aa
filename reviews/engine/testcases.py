"""A policy version's own test cases: each says what the criteria must decide for a request.

A case gives answers for some leaves and, optionally, the facts of a request; computable leaves
it leaves unanswered take the suggestion the facts give (as a reviewer who confirms every
suggestion would). The tree is then evaluated on the case's path (and its indication, when it
names one) and compared with `expect`.
The requested drug of every case is any of the policy's own (every brand and generic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .checks import (
    ClinicalEvent,
    Facts,
    LabResult,
    Medication,
    PriorTherapy,
    Suggestion,
    suggest_all,
)
from .document import tree_from_dict
from .dosing import Regimen, authorized_quantity
from .drugs import all_names
from .durations import period_end
from .indications import indication_match
from .numbers import plain_number
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
    indication, indication_messages = _indication(version, case)
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
                indication=indication,
                references=references,
            )
            if facts
            else {}
        )
        answers = {label: Answer(value) for label, value in (case.get("answers") or {}).items()}
        for label, suggestion in suggestions.items():
            answers.setdefault(label, suggestion.answer)
        evaluation = evaluate(root, answers, path=path, indication=indication)
    except (ValueError, KeyError) as error:
        return TestCaseResult(case["name"], False, [f"Could not run: {error}"])

    messages = [
        *indication_messages,
        *_result_messages(expect, evaluation),
        *_failing_messages(expect.get("failing"), evaluation),
        *_suggestion_messages(expect.get("suggestions"), suggestions),
        *_quantity_messages(version, case, path, indication),
    ]
    return TestCaseResult(case["name"], not messages, messages, evaluation)


def _indication(
    version: Mapping[str, Any], case: Mapping[str, Any]
) -> tuple[str | None, list[str]]:
    """The indication a case is evaluated on (its own `indication`, else the one its facts'
    diagnosis codes choose, as intake does; None: every indication's criteria), and the
    message when that is not expect.indication. A named indication stands even where the codes
    would choose another: the nurse may choose against the codes, with her reason."""
    named = case.get("indication")
    codes = (case.get("facts") or {}).get("diagnosis_codes") or ()
    chosen = indication_match(version["indications"], codes).chosen if codes else None
    messages = []
    effective = named or chosen
    expected = (case.get("expect") or {}).get("indication")
    if expected is not None and expected != effective:
        messages.append(f"Indication: expected {expected}, got {effective or 'none'}.")
    return effective, messages


def _quantity_messages(
    version: Mapping[str, Any], case: Mapping[str, Any], path: str, key: str | None
) -> list[str]:
    """expect.quantity: the dosing rule of the case's indication (its `indication`, or the
    version's only one) over that indication's approval period on the case's path, from
    quantity.start or facts.request_date."""
    expected = (case.get("expect") or {}).get("quantity")
    if not expected:
        return []
    facts = case.get("facts") or {}
    start = expected.get("start") or facts.get("request_date")
    indications = version["indications"]
    chosen = [i for i in indications if i["key"] == key] if key else indications
    if len(chosen) != 1:
        return ["Quantity: name the test case's indication; its dosing rule is counted."]
    indication = chosen[0]
    rule = indication.get("regimen")
    duration = indication["approval"]["initial" if path == "initial" else "extended"]
    if start is None:
        return ["Quantity: give quantity.start or facts.request_date to count from."]
    if not rule:
        return [f"Quantity: the indication {indication['key']} has no dosing rule to count."]
    if not duration:
        return [f"Quantity: the indication gives no approval period on the {path} path."]
    days = (period_end(start, duration) - start).days + 1
    weight = facts.get("weight_kg")
    quantity = authorized_quantity(
        Regimen.from_dict(rule),
        start=start,
        days=days,
        phase=path,
        weight_kg=None if weight is None else Decimal(str(weight)),
    )
    got = _quantity_text(quantity.doses, quantity.total_amount, quantity.unit)
    want_doses = expected.get("doses")
    want = _quantity_text(
        want_doses if want_doses is not None else quantity.doses,
        Decimal(expected["amount"]),
        expected["unit"],
    )
    same_amount = quantity.total_amount is not None and quantity.total_amount == Decimal(
        expected["amount"]
    )
    same = (
        same_amount
        and quantity.unit.casefold() == expected["unit"].casefold()
        and (want_doses is None or want_doses == quantity.doses)
    )
    if same:
        return []
    reason = f" ({quantity.unknown})" if quantity.unknown else ""
    return [
        f"Quantity: expected {want}, got {got}{reason} over {days} days from {start} "
        f"on the {path} path."
    ]


def _quantity_text(doses: int, amount: Decimal | None, unit: str) -> str:
    total = "an unknown amount" if amount is None else f"{plain_number(amount)} {unit}"
    return f"{total} in {doses} dose{'' if doses == 1 else 's'}"


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
                lab["name"],
                Decimal(str(lab["value"])),
                lab.get("unit") or "",
                lab.get("date"),
                lab.get("loinc") or "",
            )
            for lab in facts.get("labs") or ()
        ),
        prior_therapies=tuple(
            PriorTherapy(
                t["name"],
                t.get("outcome") or "",
                _decimal_or_none(t.get("dose")),
                t.get("dose_unit") or "",
                t.get("start"),
                t.get("end"),
            )
            for t in facts.get("prior_therapies") or ()
        ),
        diagnosis_codes=tuple(facts.get("diagnosis_codes") or ()),
        requested_drug=requested_drug,
        weight_kg=_decimal_or_none(facts.get("weight_kg")),
        height_cm=_decimal_or_none(facts.get("height_cm")),
        events=tuple(
            ClinicalEvent(e["kind"], e["date"], e.get("note") or "")
            for e in facts.get("events") or ()
        ),
    )


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


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
