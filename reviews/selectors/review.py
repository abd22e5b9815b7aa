"""The state of a case's review: the pinned tree on the case's path, the suggested answers
from its facts, the recorded answers, the engine's evaluation and the dosing check.

Django reads in, the pure engine does the deciding; views and services share this one
picture so the page a nurse sees and the rule a service enforces cannot disagree.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db.models import QuerySet

from reviews import permissions
from reviews.engine.checks import (
    Facts,
    Medication,
    Suggestion,
    check_stands_as_evidence,
    suggest_all,
)
from reviews.engine.dosing import Regimen, regimen_differences
from reviews.engine.testcases import requested_drug
from reviews.engine.tree import Evaluation, Kind, Node, Truth, evaluate, iter_nodes
from reviews.errors import NotFound
from reviews.models import Case, CriterionAnswer
from reviews.policy_documents import version_parsed
from reviews.reference_lists import reference_lists


@dataclass(frozen=True)
class Step:
    """One leaf criterion of the case's path, with the groups above it for context."""

    node: Node
    ancestors: tuple[Node, ...]
    number: int


@dataclass(frozen=True)
class Evidence:
    """What a criterion's answer rests on. kind: document (a page and quote of a document of
    the case), computed (a check's suggestion, from facts the request states, accepted as
    suggested), attestation (the policy asks for no document), or "" for nothing."""

    kind: str
    text: str = ""


NO_EVIDENCE = Evidence("")


@dataclass
class ReviewState:
    case: Case
    doc: dict
    root: Node
    path: str
    answers: dict[str, CriterionAnswer]
    suggestions: dict[str, Suggestion]
    steps: list[Step] = field(default_factory=list)

    @property
    def path_name(self) -> str:
        """The path as the version names it (version.paths)."""
        return self.doc["version"]["paths"][self.path]

    @cached_property
    def evaluation(self) -> Evaluation:
        return evaluate(
            self.root, {label: a.answer for label, a in self.answers.items()}, path=self.path
        )

    @cached_property
    def dosing_differences(self) -> list[str]:
        rule = self.doc["version"]["dosing"]["regimen"]
        if not rule:
            return []
        try:
            requested = Regimen.from_dict(self.case.regimen)
        except ValueError as error:
            return [f"The requested regimen cannot be read: {error}"]
        return regimen_differences(requested, expected_regimen(Regimen.from_dict(rule), self.path))

    @cached_property
    def evidence(self) -> dict[str, Evidence]:
        """Each answered criterion's evidence, by label (NO_EVIDENCE when it has none)."""
        found = {}
        for step in self.steps:
            label = step.node.label
            answer = self.answers.get(label)
            if answer is None:
                continue
            suggestion = self.suggestions.get(label)
            if answer.has_evidence:
                quote = answer.evidence_quote.strip()
                found[label] = Evidence(
                    "document",
                    f"{answer.evidence_document.original_name}, p. {answer.evidence_page}: "
                    f"“{quote}”",
                )
            elif (
                suggestion is not None
                and suggestion.answer == answer.answer
                and suggestion.stands_as_evidence
                and check_stands_as_evidence(step.node.check)
            ):
                found[label] = Evidence("computed", suggestion.reason)
            elif not step.node.evidence_required:
                found[label] = Evidence("attestation", "Attestation: no document required.")
            else:
                found[label] = NO_EVIDENCE
        return found

    @property
    def evidence_missing(self) -> list[str]:
        """Criteria answered "met" with nothing to show for it: an approval may not rest on
        them. A met answer needs a document page and quote, unless a check decided it from
        what the request states, or the policy marks the criterion as an attestation."""
        return [
            step.node.label
            for step in self.steps
            if (answer := self.answers.get(step.node.label))
            and answer.answer == CriterionAnswer.Value.MET
            and self.evidence[step.node.label] == NO_EVIDENCE
        ]

    @property
    def approval_refusal(self) -> str | None:
        """Why a nurse may not approve now, or None when she may: every criterion met, the
        dosing as the policy says, and evidence for every "met". The page shows it and the
        approval service enforces it."""
        if not self.all_met:
            return (
                "A nurse can approve only when every criterion is met and the dosing matches "
                "the policy. Escalate to a physician instead: " + "; ".join(self.failing_items)
            )
        if self.evidence_missing:
            return (
                "Every “met” needs its evidence (a document, page and quote, or a suggested "
                f"passage) before approval. Missing for: {', '.join(self.evidence_missing)}."
            )
        return None

    @property
    def can_approve(self) -> bool:
        return self.approval_refusal is None

    @property
    def approval_criteria(self) -> list[str]:
        """The criteria an approval cites: the met leaves of the path taken, and no others
        (an "any" group's unmet alternatives are not grounds)."""
        if self.evaluation.result != Truth.MET:
            return []
        return list(self.evaluation.deciding)

    @property
    def answered(self) -> int:
        return sum(step.node.label in self.answers for step in self.steps)

    @property
    def all_met(self) -> bool:
        return self.evaluation.result == Truth.MET and not self.dosing_differences

    @property
    def failing_items(self) -> list[str]:
        """Why the case cannot be approved by a nurse: each unmet criterion, then dosing."""
        nodes = {step.node.label: step.node for step in self.steps}
        items = []
        for label in self.evaluation.failing:
            answer = self.answers.get(label)
            state = answer.get_answer_display().lower() if answer else "not answered"
            items.append(f"{label} {state}: {nodes[label].text}")
        items += [f"Dosing: {difference}" for difference in self.dosing_differences]
        return items

    def step_for(self, label: str) -> Step:
        for step in self.steps:
            if step.node.label == label:
                return step
        raise NotFound("No such criterion on this case's path.")

    @property
    def first_open_step(self) -> Step | None:
        return next((s for s in self.steps if s.node.label not in self.answers), None)


def expected_regimen(rule: Regimen, path: str) -> Regimen:
    """What a request should ask for on its path: a continuation carries on the maintenance
    phase from its first day, with no new loading doses."""
    if path != "continuation" or rule.maintenance is None:
        return rule
    return replace(rule, loading_weeks=(), maintenance=replace(rule.maintenance, start_week=0))


def case_facts(case: Case, *, requested: tuple[str, ...] = ()) -> Facts:
    """The facts of a case for the engine; requested: the names of the policy's drug."""
    return Facts(
        request_date=case.received_on,
        member_dob=case.member_dob,
        prescriber_specialty=case.prescriber_specialty,
        consulting_specialty=case.consulting_specialty,
        consulting_name=case.consulting_name,
        consult_date=case.consult_date,
        medications=tuple(Medication(m.name, m.stop_date) for m in case.medications.all()),
        therapy_start_date=case.therapy_start_date,
        diagnosis_codes=tuple(case.diagnosis_codes),
        requested_drug=requested,
    )


def _steps(root: Node, path: str) -> list[Step]:
    steps, stack = [], []
    for node, depth in iter_nodes(root, path=path):
        del stack[depth:]
        if node.kind == Kind.LEAF:
            steps.append(Step(node, tuple(stack[1:]), len(steps) + 1))
        stack.append(node)
    return steps


def case_review_state_or_none(*, case: Case) -> ReviewState | None:
    """The review picture, or None for a case in no policy (nothing to review or cite)."""
    return case_review_state(case=case) if case.policy_version_id else None


def case_review_state(*, case: Case) -> ReviewState:
    """The review picture of a case pinned to a policy version."""
    if case.policy_version_id is None:
        raise NotFound("This case is not in any policy; it has no criteria to review.")
    doc, root = version_parsed(case.policy_version_id)
    path = case.request_type
    answers = {
        a.criterion.label: a
        for a in case.answers.select_related("criterion", "evidence_document", "answered_by")
    }
    suggestions = suggest_all(
        root,
        case_facts(case, requested=requested_drug(doc)),
        doc["version"]["lists"],
        path=path,
        references=reference_lists(),
    )
    return ReviewState(
        case=case,
        doc=doc,
        root=root,
        path=path,
        answers=answers,
        suggestions=suggestions,
        steps=_steps(root, path),
    )


def nurse_queue(*, user) -> QuerySet[Case]:
    """Cases awaiting nurse review, soonest due first (served by case_queue_idx)."""
    if not permissions.can_review_as_nurse(user):
        raise NotFound
    return (
        Case.objects.filter(status=Case.Status.NURSE_REVIEW)
        .select_related("assignee", "policy_drug", "policy_version__policy")
        .order_by("due_at", "pk")
    )


def case_evidence(*, case: Case, state: ReviewState) -> dict:
    """Passages of the case's documents that likely bear on each criterion.

    They help the nurse find evidence; they never answer a criterion.
    """
    from reviews.engine.evidence import Page, suggest_evidence
    from reviews.models import DocumentPage

    pages = [
        Page(
            document_id=p.document_id,
            document_name=p.document.original_name,
            number=p.number,
            text=p.text,
        )
        for p in DocumentPage.objects.filter(document__case=case)
        .select_related("document")
        .order_by("document_id", "number")
    ]
    if not pages:
        return {}
    return suggest_evidence(state.root, pages, state.doc["version"]["lists"], path=state.path)
