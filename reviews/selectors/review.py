"""The state of a case's review: the pinned tree on the case's path, the suggested answers
from its facts, the recorded answers, the engine's evaluation and the dosing check.

Django reads in, the pure engine does the deciding; views and services share this one
picture so the page a nurse sees and the rule a service enforces cannot disagree.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db.models import QuerySet
from django.http import Http404

from reviews import permissions
from reviews.engine import document
from reviews.engine.checks import Facts, Medication, Suggestion, suggest_all
from reviews.engine.dosing import Regimen, regimen_differences
from reviews.engine.testcases import requested_drug
from reviews.engine.tree import Evaluation, Kind, Node, Truth, evaluate, iter_nodes
from reviews.models import Case, CriterionAnswer
from reviews.policy_documents import version_document, version_prefetched
from reviews.reference_lists import reference_lists


@dataclass(frozen=True)
class Step:
    """One leaf criterion of the case's path, with the groups above it for context."""

    node: Node
    ancestors: tuple[Node, ...]
    number: int


@dataclass
class ReviewState:
    case: Case
    doc: dict
    root: Node
    path: str
    answers: dict[str, CriterionAnswer]
    suggestions: dict[str, Suggestion]
    steps: list[Step] = field(default_factory=list)

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
        raise Http404("No such criterion on this case's path.")

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
        raise Http404("This case is not in any policy; it has no criteria to review.")
    doc = version_document(version_prefetched(case.policy_version_id))
    root = document.tree_from_dict(doc["version"]["criteria"])
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
        raise Http404
    return (
        Case.objects.filter(status=Case.Status.NURSE_REVIEW)
        .select_related("assignee", "policy_version__policy")
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
