"""A draft's test cases, edited one at a time: add, change, copy, delete, and run them all.

A test case is judged as the document judges it (engine.document.validate on the draft with
the case in place), so the editor refuses exactly what publishing would, in the document's
words. Each change is one saved change of the draft (services.policy_edits.policy_edit), so
it can be undone.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Max
from django.utils import timezone
from pydantic import ValidationError

from reviews.engine import document, testcases
from reviews.engine.checks import suggest_all
from reviews.engine.indications import indication_match
from reviews.engine.tree import applicable_leaves
from reviews.errors import ReviewError
from reviews.models import Case, CriterionAnswer, PolicyTestCase, PolicyVersion
from reviews.policy_documents import (
    json_safe,
    version_document_raw,
    version_prefetched,
    version_read,
)
from reviews.reference_lists import reference_lists
from reviews.selectors.review import ReviewState
from reviews.services.determinations import ApprovalTerms, NoContinuation, policy_terms
from reviews.services.policy_edits import policy_edit

# A problem's place inside one test case: version.test_cases[3].facts.labs[0].value -> the rest.
_CASE_PLACE = re.compile(r"^version\.test_cases\[(\d+)\]\.?(.*)$")


class TestCaseRefused(ReviewError):
    """A test case the document would refuse. problems: (place inside the case, message), the
    place as the document writes it after `version.test_cases[i].` ("" for the whole case)."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{where}: {message}" if where else message for where, message in problems)
        )


def _case_problems(
    version: PolicyVersion, case: dict[str, Any], index: int | None
) -> list[tuple[str, str]]:
    """The document's problems with `case`, put at `index` among the draft's cases (None: at
    the end). Problems elsewhere in the draft (a tree being built) are not the case's."""
    raw = version_document_raw(version_prefetched(version.pk))
    cases = raw["version"]["test_cases"]
    if index is None:
        index = len(cases)
        cases.append(case)
    else:
        cases[index] = case
    if raw["version"]["criteria"] is None:
        # Without a single root no label can be checked; the rest of the case still is.
        raw["version"]["criteria"] = {"label": "root", "kind": "all", "children": []}
    found = []
    for problem in document.validate(raw, references=reference_lists()):
        match = _CASE_PLACE.match(problem.where)
        if match and int(match.group(1)) == index:
            found.append((match.group(2), problem.message))
    return found


def _stored(case: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a test case as the document writes it (dates as ISO text)."""
    safe = json_safe(case)
    return {
        "name": " ".join(str(safe.get("name") or "").split()),
        "request_type": safe.get("request_type") or "",
        "indication": safe.get("indication") or "",
        "answers": safe.get("answers") or {},
        "facts": safe.get("facts") or {},
        "expect": safe.get("expect") or {},
    }


def test_case_document(test_case: PolicyTestCase) -> dict[str, Any]:
    """A stored test case as the document writes it (what the form edits)."""
    return {
        "name": test_case.name,
        "request_type": test_case.request_type,
        "indication": test_case.indication or None,
        "answers": dict(test_case.answers or {}),
        "facts": dict(test_case.facts) if test_case.facts else None,
        "expect": dict(test_case.expect or {}),
    }


def _one(locked: PolicyVersion, test_case_id: int) -> PolicyTestCase:
    case = PolicyTestCase.objects.filter(version=locked, pk=test_case_id).first()
    if case is None:
        raise TestCaseRefused([("", "That test case is no longer in this draft.")])
    return case


def _name_of(version: PolicyVersion, test_case_id: int) -> str:
    """For the change's summary, read before the draft is locked."""
    row = PolicyTestCase.objects.filter(version=version, pk=test_case_id).only("name").first()
    return row.name if row else ""


def _renumber(version: PolicyVersion) -> None:
    for position, case in enumerate(PolicyTestCase.objects.filter(version=version)):
        if case.position != position:
            PolicyTestCase.objects.filter(pk=case.pk).update(position=position)


def test_case_add(*, version: PolicyVersion, actor, case: dict[str, Any]) -> PolicyTestCase:
    """Add a test case at the end of the draft's; refused (TestCaseRefused) as the document
    would refuse it."""
    with policy_edit(
        version=version, actor=actor, summary=f"Added test case {case.get('name', '')}"
    ) as locked:
        problems = _case_problems(locked, case, None)
        if problems:
            raise TestCaseRefused(problems)
        last = PolicyTestCase.objects.filter(version=locked).aggregate(n=Max("position"))["n"]
        return PolicyTestCase.objects.create(
            version=locked, position=0 if last is None else last + 1, **_stored(case)
        )


def test_case_change(
    *, version: PolicyVersion, actor, test_case_id: int, case: dict[str, Any]
) -> PolicyTestCase:
    """Replace a test case with `case`, in its place."""
    with policy_edit(
        version=version, actor=actor, summary=f"Changed test case {case.get('name', '')}"
    ) as locked:
        row = _one(locked, test_case_id)
        index = list(
            PolicyTestCase.objects.filter(version=locked).values_list("pk", flat=True)
        ).index(row.pk)
        problems = _case_problems(locked, case, index)
        if problems:
            raise TestCaseRefused(problems)
        for name, value in _stored(case).items():
            setattr(row, name, value)
        row.save()
        return row


def _copy_name(name: str, taken: set[str]) -> str:
    base = re.sub(r" \(copy(?: \d+)?\)$", "", name)
    candidate, n = f"{base} (copy)", 2
    while candidate in taken:
        candidate, n = f"{base} (copy {n})", n + 1
    return candidate[:200]


def test_case_copy(*, version: PolicyVersion, actor, test_case_id: int) -> PolicyTestCase:
    """A copy of a test case right after it, named "... (copy)", to change a few things of."""
    name = _name_of(version, test_case_id)
    with policy_edit(version=version, actor=actor, summary=f"Copied test case {name}") as locked:
        source = _one(locked, test_case_id)
        taken = set(PolicyTestCase.objects.filter(version=locked).values_list("name", flat=True))
        PolicyTestCase.objects.filter(version=locked, position__gt=source.position).update(
            position=F("position") + 1
        )
        copy = PolicyTestCase.objects.create(
            version=locked,
            position=source.position + 1,
            name=_copy_name(source.name, taken),
            request_type=source.request_type,
            indication=source.indication,
            answers=source.answers,
            facts=source.facts,
            expect=source.expect,
        )
        _renumber(locked)
        return copy


def test_case_delete(*, version: PolicyVersion, actor, test_case_id: int) -> str:
    """Delete a test case; returns its name."""
    name = _name_of(version, test_case_id)
    with policy_edit(version=version, actor=actor, summary=f"Deleted test case {name}") as locked:
        _one(locked, test_case_id).delete()
        _renumber(locked)
    return name


@dataclass
class RunReport:
    """Run all: the draft's problems instead of results while it is not a valid document;
    else one result per test case, in order."""

    problems: list[str] = field(default_factory=list)
    results: list[testcases.TestCaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def test_cases_run(*, version: PolicyVersion) -> RunReport:
    """Every test case of the version, run as publishing runs them
    (services.policies.policy_version_check)."""
    doc, problems = version_read(version_prefetched(version.pk))
    if problems:
        return RunReport(problems=problems)
    return RunReport(results=testcases.run_test_cases(doc, references=reference_lists()))


# ---- the preview: the nurse's walk for an example request (read-only) ----------------------


@dataclass
class Preview:
    """What the nurse would see for an example request: the steps asked (each with its
    suggestion), the result, and the approval's period and quantity. problems: why nothing
    can be shown (the draft is not a valid document, or the request lacks a date)."""

    problems: list[str] = field(default_factory=list)
    state: ReviewState | None = None
    indication_reason: str = ""
    # Labels of the answers the example gives (the rest are suggestions taken, or open).
    given: frozenset[str] = frozenset()
    not_asked: list[tuple[str, str]] = field(default_factory=list)
    terms: ApprovalTerms | None = None
    terms_note: str = ""

    @property
    def steps(self):
        return self.state.steps if self.state else []

    @property
    def rows(self):
        """(step, its suggestion or None, the answer taken or "", where it came from:
        "example", "suggestion" or "") per step, in order."""
        for step in self.steps:
            label = step.node.label
            answer = self.state.answers.get(label)
            source = (
                "example"
                if label in self.given
                else "suggestion"
                if label in self.state.suggestions
                else ""
            )
            yield step, self.state.suggestions.get(label), answer.answer if answer else "", source


def policy_preview(
    *,
    version: PolicyVersion,
    request_type: str,
    indication: str | None = None,
    facts: dict[str, Any] | None = None,
    answers: dict[str, str] | None = None,
    start: date | None = None,
) -> Preview:
    """The nurse's walk of the draft for one request, built as her review is
    (selectors.review.ReviewState: the same path and indication filtering and `if`
    handling): every computable leaf takes its suggestion unless `answers` gives one (as a
    test case runs), and the period and quantity come from determinations.policy_terms."""
    full = version_prefetched(version.pk)
    doc, problems = version_read(full)
    if problems:
        return Preview(problems=problems)
    facts = facts or None
    if facts and not facts.get("request_date"):
        return Preview(problems=["Give the request date: ages, windows and durations count to it."])
    if facts:
        # As the document reads a test case's facts (dates from ISO text, numbers as text).
        try:
            facts = document.Facts.model_validate(facts).model_dump()
        except ValidationError as error:
            return Preview(problems=[f"facts: {e['msg']}" for e in error.errors()])
    root = document.tree_from_dict(doc["version"]["criteria"])
    indications = doc["version"]["indications"]
    codes = (facts or {}).get("diagnosis_codes") or ()
    match = indication_match(indications, codes)
    key = indication if indication in {i["key"] for i in indications} else match.chosen
    reason = (
        "Chosen for the example."
        if indication
        else match.reason
        if key
        else f"{match.reason} The nurse chooses the indication first; choose one above."
    )
    suggestions = (
        suggest_all(
            root,
            testcases.facts_from_dict(facts, requested_drug=testcases.requested_drug(doc)),
            doc["version"]["lists"],
            path=request_type,
            indication=key,
            references=reference_lists(),
        )
        if facts and key
        else {}
    )
    given = {label: value for label, value in (answers or {}).items() if value}
    taken = {**{label: s.answer for label, s in suggestions.items()}, **given}
    request_date = (facts or {}).get("request_date") or start or timezone.localdate()
    state = ReviewState(
        case=Case(request_type=request_type),
        doc=doc,
        root=root,
        path=request_type,
        answers={label: CriterionAnswer(answer=str(value)) for label, value in taken.items()},
        suggestions=suggestions,
        indication=key,
        indication_needed=key is None,
    )
    preview = Preview(state=state, indication_reason=reason, given=frozenset(given))
    if key is None:
        return preview
    asked = {step.node.label for step in state.steps}
    preview.not_asked = [
        (leaf.label, state.not_asked_reason(leaf.label))
        for leaf in applicable_leaves(root, path=request_type, indication=key)
        if leaf.label not in asked
    ]
    row = next(i for i in full.indications.all() if i.key == key)
    weight = (facts or {}).get("weight_kg")
    try:
        preview.terms = policy_terms(
            version=full,
            indication=row,
            request_type=request_type,
            start=start or request_date,
            weight_kg=None if weight in (None, "") else Decimal(str(weight)),
        )
    except NoContinuation as error:
        preview.terms_note = str(error)
    return preview
